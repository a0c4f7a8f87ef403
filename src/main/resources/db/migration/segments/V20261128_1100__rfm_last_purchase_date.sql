-- The RFM row keeps the member's last purchase date rather than the recency in days. Recency moves
-- for every member every day; stored, it made the daily roll rewrite every row (8.2 s of a 19.9 s
-- roll at 1M members, docs/PERFORMANCE.md). Now recency = the row's as-of day - last_purchase_date,
-- where the row's as-of day is greatest(as_of, rfm_settings.last_full_as_of): the roll writes only
-- the rows whose figures, bands or scores changed, and every other row is exact as of its day.
alter table segments.member_rfm add column last_purchase_date date;
update segments.member_rfm set last_purchase_date = as_of - recency_days;
alter table segments.member_rfm alter column last_purchase_date set not null;

drop view segments.v_member_rfm;
alter table segments.member_rfm drop column recency_days;

-- Published read view (ADR 0008): as_of is the day the cell holds for.
create view segments.v_member_rfm as
    select r.member_id, r.r_band, r.f_band, greatest(r.as_of, s.last_full_as_of) as as_of
    from segments.member_rfm r left join segments.rfm_settings s on s.id = 1;
