-- Gift redemption: the catalog (ADMIN), stock per store (STORE_MANAGER of the store), an auditable
-- table of stock movements, and reservations that take the member's points at once (REDEEM entry
-- with gift_reservation_id) and are then confirmed (handed out) or cancelled/expired (REDEEM_CANCEL
-- entry giving back exactly the lots used).
-- Stock invariants (checked by GiftCatalog.verifyStock and the tests):
--   0 <= reserved <= on_hand
--   on_hand  = sum(on_hand_change) of the movements of (gift, store)
--   reserved = sum(reserved_change) of the movements = sum(quantity) of RESERVED reservations
create table loyalty.gift (
    id            bigserial primary key,
    code          text not null unique check (code ~ '^[A-Z0-9_-]{1,30}$'),
    name_zh       text not null check (length(name_zh) between 1 and 100),
    name_en       text not null check (length(name_en) between 1 and 100),
    description   text not null default '',
    points_price  bigint not null check (points_price between 1 and 1000000000),
    cash_fen      bigint not null default 0 check (cash_fen between 0 and 100000000), -- co-pay per item, in fen
    image_url     text,
    valid_from    date,
    valid_to      date,
    active        boolean not null default true,
    created_at    timestamptz not null default now(),
    updated_at    timestamptz not null default now(),
    updated_by    text not null default '',
    check (valid_from is null or valid_to is null or valid_from <= valid_to)
);

create table loyalty.gift_stock (
    gift_id    bigint not null references loyalty.gift(id),
    store_id   bigint not null,
    on_hand    bigint not null default 0 check (on_hand >= 0),   -- physically in the store, reserved included
    reserved   bigint not null default 0 check (reserved >= 0),
    updated_at timestamptz not null default now(),
    primary key (gift_id, store_id),
    check (reserved <= on_hand)
);
create index gift_stock_store on loyalty.gift_stock (store_id, gift_id);

create table loyalty.gift_reservation (
    id               bigserial primary key,
    idempotency_key  text not null unique,
    fingerprint      text not null,
    member_id        bigint not null,
    gift_id          bigint not null references loyalty.gift(id),
    store_id         bigint not null,
    quantity         int not null check (quantity between 1 and 99),
    points           bigint not null check (points > 0),
    cash_fen         bigint not null default 0 check (cash_fen >= 0),
    status           text not null default 'RESERVED' check (status in ('RESERVED', 'CONFIRMED', 'CANCELLED', 'EXPIRED')),
    entry_id         bigint not null references loyalty.entry(id),
    expires_at       timestamptz not null,
    created_by       text not null default '',
    created_at       timestamptz not null default now(),
    confirm_key      text unique,
    confirmed_at     timestamptz,
    confirmed_by     text,
    cancel_key       text unique,
    cancel_entry_id  bigint references loyalty.entry(id),
    cancelled_at     timestamptz,
    cancelled_by     text
);
create index gift_reservation_member on loyalty.gift_reservation (member_id, id);
create index gift_reservation_store_open on loyalty.gift_reservation (store_id, id) where status = 'RESERVED';
create index gift_reservation_due on loyalty.gift_reservation (expires_at) where status = 'RESERVED';

create table loyalty.gift_stock_movement (
    id               bigserial primary key,
    gift_id          bigint not null references loyalty.gift(id),
    store_id         bigint not null,
    kind             text not null check (kind in ('RECEIVE', 'ADJUST', 'RESERVE', 'RELEASE', 'HAND_OUT')),
    on_hand_change   bigint not null,
    reserved_change  bigint not null,
    reservation_id   bigint references loyalty.gift_reservation(id),
    reason           text not null default '',
    created_by       text not null default '',
    created_at       timestamptz not null default now()
);
create index gift_stock_movement_stock on loyalty.gift_stock_movement (gift_id, store_id, id);

-- One row: how long a reservation waits to be handed out before it expires.
create table loyalty.gift_settings (
    id                 smallint primary key default 1 check (id = 1),
    reservation_hours  int not null default 48 check (reservation_hours between 1 and 720),
    updated_at         timestamptz not null default now(),
    updated_by         text not null default ''
);
insert into loyalty.gift_settings (id) values (1);

-- Ledger entries of a gift reservation (REDEEM when reserved, REDEEM_CANCEL when cancelled/expired).
alter table loyalty.entry add column gift_reservation_id bigint;
create index entry_gift_reservation on loyalty.entry (gift_reservation_id) where gift_reservation_id is not null;
