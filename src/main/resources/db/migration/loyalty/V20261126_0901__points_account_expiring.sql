-- For campaigns' {expiring_points} (docs/campaigns.md): the published points view gains, appended,
-- the points in open lots that expire within the next 30 days (uses lot_member_open per member).
create or replace view loyalty.v_points_account as
    select a.member_id, a.balance, a.debt, a.lifetime_earned,
           coalesce((select sum(l.remaining) from loyalty.lot l
                     where l.member_id = a.member_id and l.remaining > 0
                       and l.expires_on >= current_date and l.expires_on < current_date + 31), 0)::bigint
               as expiring_points_30d
    from loyalty.account a;
