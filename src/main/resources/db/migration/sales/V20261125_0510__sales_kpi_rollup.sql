-- Daily KPI rollup of sales, maintained by KpiRollup from the SalesRecorded events (outbox), and the
-- per-member first/last purchase dates. Money in fen; "returns" are positive refunded amounts.
-- Everything here can be recomputed from sales.sale / sales.sale_line (KpiRollup.rebuild).

-- One row per SalesRecorded event applied, keyed by the event's first sale id (each ticket appears
-- in exactly one event): applying an event inserts this row in the same transaction, so a
-- redelivered event finds it and changes nothing.
create table sales.kpi_applied (
    first_sale_id  bigint primary key,
    tickets        int not null,
    applied_at     timestamptz not null default now()
);

-- Money and items per day, store, counter and brand (0: line without counter / brand).
create table sales.daily_kpi (
    business_date   date not null,
    store_id        bigint not null,
    counter_id      bigint not null,
    brand_id        bigint not null,
    net_fen         bigint not null,            -- sales minus returns
    gross_fen       bigint not null,            -- sale lines only (after discount)
    returns_fen     bigint not null,            -- refunded on return lines, positive
    discount_fen    bigint not null,            -- discounts on sale lines
    quantity        numeric(16, 3) not null,    -- items sold minus items returned
    member_net_fen  bigint not null,            -- net of tickets with a member
    primary key (business_date, store_id, counter_id, brand_id)
);
create index daily_kpi_store_date on sales.daily_kpi (store_id, business_date);

-- Distinct sale tickets per day, store and counter ('C') or brand ('B'): a ticket with two lines at
-- one counter counts once for it.
create table sales.daily_dim_tickets (
    business_date  date not null,
    store_id       bigint not null,
    dim            char(1) not null check (dim in ('C', 'B')),
    dim_id         bigint not null,
    sale_tickets   int not null,
    primary key (business_date, store_id, dim, dim_id)
);

-- Per day and store: ticket counts (a ticket spanning two counters counts once) and ticket totals.
create table sales.daily_store_kpi (
    business_date   date not null,
    store_id        bigint not null,
    net_fen         bigint not null,
    gross_fen       bigint not null,
    returns_fen     bigint not null,
    discount_fen    bigint not null,
    quantity        numeric(16, 3) not null,
    sale_tickets    int not null,
    return_tickets  int not null,
    member_net_fen  bigint not null,
    member_tickets  int not null,               -- sale tickets with a member
    primary key (business_date, store_id)
);
create index daily_store_kpi_store on sales.daily_store_kpi (store_id, business_date);

-- A member's first and last purchase (SALE ticket) date ever: updated with least()/greatest(), so the
-- order in which tickets arrive (live, imported history, redelivered) does not matter.
create table sales.member_purchase (
    member_id   bigint primary key,
    first_date  date not null,
    last_date   date not null
);
create index member_purchase_first on sales.member_purchase (first_date);
