-- Published read view of the members' current R×F lifecycle cell (ADR 0008), for the campaigns
-- module's results by segment cell (campaigns record each audience member's cell when sending starts).
create view segments.v_member_rfm as
    select member_id, r_band, f_band, as_of from segments.member_rfm;
