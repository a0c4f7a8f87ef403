-- Points history for the expiry benchmark (bench/loyalty.sh): :lots lots over the members with ids
-- from :first, :per lots each, every lot one EARN entry; all expired yesterday except every tenth.
-- Balances are the sums, so LoyaltyManagement.verify holds before and after the run.
\set ON_ERROR_STOP on
set synchronous_commit = off;
insert into loyalty.entry (member_id, kind, points, reason, created_by, earned_by_member_id, earned_on)
select :first + (g - 1) / :per, 'EARN', 100, 'bench', 'bench', :first + (g - 1) / :per, current_date - 400
from generate_series(1, :lots) g;
insert into loyalty.lot (member_id, entry_id, points, remaining, earned_on, available_from, expires_on)
select e.member_id, e.id, 100, 100, current_date - 400, current_date - 400,
       case when e.id % 10 = 0 then current_date + 30 else current_date - 1 end
from loyalty.entry e where e.reason = 'bench' and e.created_by = 'bench';
insert into loyalty.account (member_id, balance, lifetime_earned)
select member_id, sum(points), sum(points) from loyalty.entry where created_by = 'bench' group by member_id
on conflict (member_id) do update set balance = excluded.balance, lifetime_earned = excluded.lifetime_earned;
analyze loyalty.entry;
analyze loyalty.lot;
analyze loyalty.account;
