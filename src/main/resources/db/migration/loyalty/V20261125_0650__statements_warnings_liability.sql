-- Statements, expiry warnings and the liability report.

-- How many days ahead members are warned of expiring points (ExpiryWarnings).
alter table loyalty.program
    add column expiry_warning_days int not null default 30 check (expiry_warning_days between 1 and 365);

-- What was warned: one row per member and expiry date, so that reruns and crashes never warn twice.
-- Written in the same transaction as the PointsExpiring event's outbox publication.
create table loyalty.expiry_warning (
    member_id   bigint not null,
    expires_on  date not null,
    points      bigint not null check (points > 0),
    warned_at   timestamptz not null default now(),
    primary key (member_id, expires_on)
);

-- Liability report: monthly sums of the ledger by kind (and store) without touching the heap.
create index entry_created on loyalty.entry (created_at) include (kind, points, store_id);
-- Statements: a member's entries by time.
create index entry_member_created on loyalty.entry (member_id, created_at) include (kind, points);
-- Liability report: open points by expiry month and pending points, index-only.
create index lot_open_expiry on loyalty.lot (expires_on) include (remaining, available_from) where remaining > 0;
create index lot_open_pending on loyalty.lot (available_from) include (remaining) where remaining > 0;
