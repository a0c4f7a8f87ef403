-- Every accrued sale writes one ledger entry and one lot, and each index keyed by member puts that
-- row on a random page of its index (after each checkpoint a full-page image in the WAL): right
-- after a checkpoint the entry insert was half of the accrual statement's time at 1M members. Keep
-- one member index per purpose.

-- (member_id, id) duplicated entry_member_created (member_id, created_at) include (kind, points):
-- a member's ledger page, count and sum read that one (a member has few entries to sort by id).
drop index if exists loyalty.entry_member;

-- Was on member_id, but the daily-cap query looks up the buying member (earned_by_member_id), so it
-- read the whole ledger instead. That query now goes through entry_member_created (EarnRules).
drop index if exists loyalty.entry_earn_day;

-- lot_open_expiry (expires_on) include (remaining, available_from) where remaining > 0 covers it.
drop index if exists loyalty.lot_expiry;
