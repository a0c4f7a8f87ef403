-- Segments: member facts and RFM (contract shared by the facts/RFM code and the rule segments).
--   segments.member_fact: what a member did, one row per member with at least one ticket. Kept
--     current by MemberFacts on SalesRecorded and merges (recomputed from sales.v_sale / v_sale_line
--     for the members concerned, never blindly incremented, so a redelivered event is harmless) and
--     refreshed daily, because the 12-month windows move as days pass. After each change the code
--     publishes MemberFactsChanged(memberIds).
--   segments.member_rfm: the member's R×F lifecycle cell and quintile scores as of a day.
create schema if not exists segments;

create table segments.member_fact (
    member_id              bigint primary key,
    first_purchase_date    date,                       -- first SALE ticket (business date); null: returns only
    last_purchase_date     date,
    purchase_days          int    not null default 0,  -- distinct business dates with a SALE ticket, lifetime
    purchase_days_12m      int    not null default 0,  -- the same in the 365 days ending as_of
    tickets                int    not null default 0,  -- SALE tickets, lifetime
    tickets_12m            int    not null default 0,
    spend_fen              bigint not null default 0,  -- net: sales plus (negative) returns, lifetime
    spend_12m_fen          bigint not null default 0,
    avg_ticket_fen         bigint not null default 0,  -- spend_fen / tickets, half up; 0 without tickets
    avg_interval_days      numeric(10, 2),             -- (last - first) / (purchase_days - 1); null below 2 days
    favourite_brand_id     bigint,                     -- highest net spend lifetime; ties: lowest id
    favourite_category_id  bigint,
    favourite_store_id     bigint,
    return_tickets         int    not null default 0,
    returned_fen           bigint not null default 0,  -- refunded, as a positive amount, lifetime
    as_of                  date   not null,            -- the day the 12-month windows end
    updated_at             timestamptz not null default now()
);
create index member_fact_last on segments.member_fact (last_purchase_date);
create index member_fact_spend_12m on segments.member_fact (spend_12m_fen);

create table segments.member_rfm (
    member_id      bigint primary key,
    recency_days   int    not null,        -- as_of - last purchase date
    frequency      int    not null,        -- purchase days in the configured window
    monetary_fen   bigint not null,        -- net spend in the configured window
    r_band         text   not null check (r_band in ('ACTIVE', 'SILENT', 'SLEEPING', 'LOST')),
    f_band         text   not null check (f_band in ('NEW', 'SECOND', 'OLD', 'FAN')),
    r_score        smallint check (r_score between 1 and 5),
    f_score        smallint check (f_score between 1 and 5),
    m_score        smallint check (m_score between 1 and 5),
    as_of          date   not null
);
create index member_rfm_cell on segments.member_rfm (r_band, f_band);
