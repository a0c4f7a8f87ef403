-- Published read view for the reporting modules (docs/adr/0008-reporting-reads-published-views.md):
-- which tickets a member merge moved and from whom. segments.MemberFacts reads it to recompute both
-- members of an un-merge correctly whether or not sales.MemberMerges has moved the tickets back yet.
create view sales.v_merge_move as
    select merge_id, sale_id, from_member_id from sales.merge_move;
