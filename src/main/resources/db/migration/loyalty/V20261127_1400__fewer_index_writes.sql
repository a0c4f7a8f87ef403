-- Fewer index entries written per earned sale (issue 5: what accrual adds to the sales ingest).

-- The liability report's pending points are read from lot_open_expiry, which carries available_from
-- and remaining for every open lot (the report scans it for the expiry months anyway), instead of an
-- index of their own written with every lot.
drop index if exists loyalty.lot_open_pending;

-- The tier figures (rolling 12-month sums per member, read for every member of every sales batch)
-- come from the index alone: amount and points ride along with the member's sales by date.
create index tier_sale_member_figures on loyalty.tier_sale (member_id, business_date) include (amount_fen, points);
drop index if exists loyalty.tier_sale_member;
