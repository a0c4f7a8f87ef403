-- Every accrued sale writes a ledger entry and its lot in one statement (Accrual.earnInBulk), and the
-- lot's foreign key to its entry cost a trigger call with an index probe per lot: 11 ms of the
-- accrual statement's 70–90 ms per 1,000-sale batch at 1M members (EXPLAIN ANALYZE, 2026-11-27).
-- Lots are only ever written by this module's code, each right after its entry in the same
-- transaction; LoyaltyManagement.verify (run by the property test after every step) checks that
-- each of a member's lots has its entry (a merge moves lots, not entries), so it is still tested.
alter table loyalty.lot drop constraint if exists lot_entry_id_fkey;
