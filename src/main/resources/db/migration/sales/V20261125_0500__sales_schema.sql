-- Sales: POS tickets (sales and returns) with their lines and payments, and daily store traffic.
-- Money is integer fen (1/100 yuan), currency CNY. Returns are tickets of kind RETURN whose
-- quantities and amounts are NEGATIVE, so that sum(total_fen) over any set of tickets is net sales.
-- Store, counter, brand, category and member ids are plain columns (other modules own them).
create schema if not exists sales;

create table sales.sale (
    id               bigserial primary key,
    kind             text not null check (kind in ('SALE', 'RETURN')),
    store_id         bigint not null,
    pos_terminal     text not null default '',
    pos_txn_id       text not null,                 -- unique per store: the idempotency key
    original_sale_id bigint references sales.sale(id),
    business_date    date not null,
    occurred_at      timestamptz not null,
    cashier          text not null default '',
    member_id        bigint,                        -- null: anonymous ticket
    currency         text not null default 'CNY' check (currency = 'CNY'),
    gross_fen        bigint not null,               -- Σ round(quantity × unit price)
    discount_fen     bigint not null,               -- Σ line discounts
    total_fen        bigint not null,               -- Σ line amounts = Σ payments
    quantity         numeric(14, 3) not null,       -- Σ line quantities (items per ticket)
    line_count       int not null,
    source           text not null check (source in ('POS', 'IMPORT', 'DEMO')),
    accrue_points    boolean not null,              -- false for imported history unless asked
    fingerprint      bytea not null,                -- SHA-256 of the canonical request (replays compare it)
    recorded_at      timestamptz not null default now(),
    constraint sale_pos_txn unique (store_id, pos_txn_id),
    check ((kind = 'RETURN') = (original_sale_id is not null)),
    check ((kind = 'SALE' and total_fen >= 0 and quantity >= 0) or (kind = 'RETURN' and total_fen <= 0 and quantity <= 0))
);
create index sale_member on sales.sale (member_id, business_date) where member_id is not null;
create index sale_store_date on sales.sale (store_id, business_date);
create index sale_date on sales.sale (business_date);
create index sale_original on sales.sale (original_sale_id) where original_sale_id is not null;

create table sales.sale_line (
    sale_id            bigint not null references sales.sale(id),
    line_no            int not null check (line_no >= 1),
    -- copied from the ticket so that KPI queries read one table
    store_id           bigint not null,
    business_date      date not null,
    sku                text not null,
    name               text not null default '',
    brand_id           bigint,
    category_id        bigint,
    counter_id         bigint,
    quantity           numeric(12, 3) not null check (quantity <> 0),
    unit_price_fen     bigint not null check (unit_price_fen >= 0),
    discount_fen       bigint not null,
    amount_fen         bigint not null,
    original_line_no   int,                          -- returns: the line of the original sale
    returned_quantity  numeric(12, 3) not null default 0,  -- sales: returned so far (≤ quantity)
    returned_fen       bigint not null default 0,          -- sales: refunded so far (≤ amount)
    primary key (sale_id, line_no),
    check (returned_quantity >= 0 and returned_quantity <= quantity or quantity < 0),
    check (returned_fen >= 0 and (returned_fen <= amount_fen or amount_fen < 0))
);
create index sale_line_date_store on sales.sale_line (business_date, store_id);
create index sale_line_counter on sales.sale_line (counter_id, business_date) where counter_id is not null;
create index sale_line_brand on sales.sale_line (brand_id, business_date) where brand_id is not null;

create table sales.sale_payment (
    sale_id     bigint not null references sales.sale(id),
    seq         int not null check (seq >= 1),
    method      text not null check (method in ('CASH', 'BANK_CARD', 'MOBILE_PAY', 'STORED_VALUE', 'POINTS', 'COUPON', 'OTHER')),
    amount_fen  bigint not null,
    reference   text not null default '',
    primary key (sale_id, seq)
);

-- Sales moved to the survivor of a member merge, so that an un-merge moves exactly those back.
create table sales.merge_move (
    merge_id        bigint not null,
    sale_id         bigint not null references sales.sale(id),
    from_member_id  bigint not null,
    primary key (merge_id, sale_id)
);

-- Daily footfall per store (entered or imported), for conversion = tickets / visitors.
create table sales.store_traffic (
    store_id       bigint not null,
    business_date  date not null,
    visitors       int not null check (visitors >= 0),
    source         text not null check (source in ('ENTERED', 'IMPORT', 'DEMO')),
    updated_at     timestamptz not null default now(),
    updated_by     text not null default '',
    primary key (store_id, business_date)
);
