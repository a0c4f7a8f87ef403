-- The nightly expiry writes one lot_use row per expired lot (9M on the benchmark's night), and the
-- row's two foreign keys (to its entry, to its lot) cost a trigger call with an index probe and a
-- row lock each: 1.56 s of the expiry statement's 3.41 s for 10,000 members and 90,000 lots
-- (EXPLAIN ANALYZE on bench/loyalty.sh's data, 2026-11-27); the whole run took 368 s for 9M lots,
-- over the 5 minutes of issue 5. As for the lot's key to its entry (V20261127_1200): lot_use rows
-- are only ever written by this module's code, in the transaction of their entry and right after it,
-- for lots it has just read; LoyaltyManagement.verify (run by the property test after every step)
-- checks that every use of a member's lots has its entry and every use by a member's entries has
-- its lot.
alter table loyalty.lot_use drop constraint if exists lot_use_entry_id_fkey;
alter table loyalty.lot_use drop constraint if exists lot_use_lot_id_fkey;
