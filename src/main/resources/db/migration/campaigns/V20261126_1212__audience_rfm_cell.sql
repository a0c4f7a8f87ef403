-- The audience member's R×F lifecycle cell when sending started (from segments.v_member_rfm), for the
-- results by segment cell; null = not scored (no purchase yet).
alter table campaigns.audience_member add column r_band text;
alter table campaigns.audience_member add column f_band text;
