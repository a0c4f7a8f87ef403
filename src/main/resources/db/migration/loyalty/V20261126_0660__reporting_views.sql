-- Published read views for the reporting modules (segments, analytics, insights, campaigns); see
-- docs/adr/0008-reporting-reads-published-views.md. A member without a points account has 0 points;
-- a member without a member_tier row is at the rank-0 level.
create view loyalty.v_points_account as
    select member_id, balance, debt, lifetime_earned from loyalty.account;
create view loyalty.v_tier as
    select code, rank, name_zh, name_en from loyalty.tier;
create view loyalty.v_member_tier as
    select mt.member_id, mt.tier_code, t.rank, mt.since
    from loyalty.member_tier mt join loyalty.tier t on t.code = mt.tier_code;
