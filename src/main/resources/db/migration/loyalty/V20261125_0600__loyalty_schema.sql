-- Loyalty: the points program, per-member accounts, points lots and the immutable points ledger.
-- Invariants (checked by LoyaltyManagement.verify and the tests):
--   account.balance = sum(entry.points) of the member
--   sum(lot.remaining) of the member = greatest(account.balance, 0)
--   at most one EARN entry per sale and one REVERSE entry per return ticket.
-- Member, sale and store ids are plain columns (other modules own them).
create schema if not exists loyalty;

-- One row: how points are earned and expire.
create table loyalty.program (
    id                    smallint primary key default 1 check (id = 1),
    points_per_yuan       numeric(10, 4) not null default 1 check (points_per_yuan >= 0),
    rounding              text not null default 'DOWN' check (rounding in ('DOWN', 'HALF_UP', 'UP')),
    pending_days          int not null default 0 check (pending_days between 0 and 90),
    expiry_policy         text not null default 'END_OF_NEXT_YEAR' check (expiry_policy in ('END_OF_NEXT_YEAR', 'MONTHS_AFTER', 'NEVER')),
    expiry_months         int not null default 24 check (expiry_months between 1 and 120),
    max_negative_balance  bigint not null default 0 check (max_negative_balance >= 0),
    updated_at            timestamptz not null default now(),
    updated_by            text not null default ''
);
insert into loyalty.program (id) values (1);

create table loyalty.account (
    member_id        bigint primary key,
    balance          bigint not null default 0,       -- = sum of the member's ledger entries
    debt             bigint not null default 0 check (debt >= 0), -- reversals beyond the allowed negative balance
    lifetime_earned  bigint not null default 0,
    updated_at       timestamptz not null default now()
);

create table loyalty.entry (
    id               bigserial primary key,
    member_id        bigint not null,
    kind             text not null check (kind in ('EARN', 'REVERSE', 'REDEEM', 'REDEEM_CANCEL', 'EXPIRE', 'ADJUST', 'DEBT_SETTLE', 'TRANSFER_IN', 'TRANSFER_OUT')),
    points           bigint not null,                 -- signed change of the balance
    debt_points      bigint not null default 0,       -- REVERSE: points that could not be taken back (became debt)
    sale_id          bigint,                          -- EARN: the sale; REVERSE: the return ticket
    original_sale_id bigint,                          -- REVERSE: the sale whose points are reversed
    redemption_id    bigint,
    merge_id         bigint,
    store_id         bigint,
    reason           text not null default '',
    created_by       text not null default '',
    created_at       timestamptz not null default now()
);
create unique index entry_earn_once on loyalty.entry (sale_id) where kind = 'EARN';
create unique index entry_reverse_once on loyalty.entry (sale_id) where kind = 'REVERSE';
create index entry_member on loyalty.entry (member_id, id);
create index entry_original_sale on loyalty.entry (original_sale_id) where original_sale_id is not null;

-- Points are earned in lots; spending consumes the lots that expire first.
create table loyalty.lot (
    id              bigserial primary key,
    member_id       bigint not null,
    entry_id        bigint not null references loyalty.entry(id),
    points          bigint not null check (points > 0),
    remaining       bigint not null check (remaining >= 0 and remaining <= points),
    earned_on       date not null,
    available_from  date not null,                   -- pending until then (return window)
    expires_on      date,                            -- null: never
    sale_id         bigint
);
create index lot_member_open on loyalty.lot (member_id, expires_on, id) where remaining > 0;
create index lot_expiry on loyalty.lot (expires_on) where remaining > 0;

-- Which lots an entry took points from (or gave back to), so redemptions can be cancelled exactly.
create table loyalty.lot_use (
    entry_id  bigint not null references loyalty.entry(id),
    lot_id    bigint not null references loyalty.lot(id),
    points    bigint not null,                       -- negative: taken from the lot
    primary key (entry_id, lot_id)
);

-- Points used as payment at the POS (or at the desk); idempotent by key.
create table loyalty.redemption (
    id               bigserial primary key,
    idempotency_key  text not null unique,
    fingerprint      text not null,
    member_id        bigint not null,
    points           bigint not null check (points > 0),
    store_id         bigint,
    reference        text not null default '',
    entry_id         bigint not null references loyalty.entry(id),
    status           text not null default 'CONFIRMED' check (status in ('CONFIRMED', 'CANCELLED')),
    cancel_key       text unique,
    cancel_entry_id  bigint references loyalty.entry(id),
    created_at       timestamptz not null default now(),
    cancelled_at     timestamptz
);
create index redemption_member on loyalty.redemption (member_id, id);

-- Adjustments by staff are idempotent by key too.
create table loyalty.adjustment (
    idempotency_key  text primary key,
    fingerprint      text not null,
    entry_id         bigint not null references loyalty.entry(id)
);

-- ShedLock: one instance runs each scheduled job (expiry).
create table if not exists loyalty.shedlock (
    name        varchar(64) primary key,
    lock_until  timestamptz not null,
    locked_at   timestamptz not null,
    locked_by   varchar(255) not null
);
