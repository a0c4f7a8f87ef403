-- Cross-sell association rules and up-sell price bands (docs/MODELS.md, "Cross-sell and up-sell").
-- Mined from baskets read through sales.v_sale_line (ADR 0008); ids of categories, brands and
-- members are plain columns (no foreign keys across schemas).
create schema if not exists insights;

-- One mining run: its thresholds (as given and as the exact integers compared), the baskets it
-- read, what it found, how long it took and who started it.
create table insights.rule_run (
    id                 bigserial primary key,
    level              text not null check (level in ('CATEGORY', 'BRAND')),
    status             text not null check (status in ('RUNNING', 'DONE', 'FAILED')),
    min_support        numeric not null check (min_support > 0 and min_support <= 1),
    min_confidence     numeric not null check (min_confidence > 0 and min_confidence <= 1),
    max_items          int not null check (max_items between 2 and 10),
    date_from          date not null,
    date_to            date not null,
    store_ids          bigint[],                 -- null: every store
    baskets            bigint,
    min_support_count  bigint,                   -- ceil(min_support × baskets), computed exactly
    frequent_itemsets  bigint,
    rules              bigint,
    members_scored     bigint,
    duration_ms        bigint,
    error              text,
    started_by         text not null,
    trigger            text not null check (trigger in ('ON_DEMAND', 'SCHEDULED')),
    started_at         timestamptz not null default now(),
    finished_at        timestamptz
);
create index rule_run_level on insights.rule_run (level, id desc);

-- A rule X => Y of a run. Counts are exact; support, confidence and lift are derived from them
-- (support = both / baskets, confidence = both / antecedent, lift = both × baskets / (antecedent × consequent)).
create table insights.association_rule (
    run_id            bigint not null references insights.rule_run (id) on delete cascade,
    id                bigserial,
    level             text not null,
    antecedent        bigint[] not null,          -- category or brand ids, ascending
    consequent        bigint[] not null,          -- one id (one item on the right-hand side)
    antecedent_count  bigint not null,
    consequent_count  bigint not null,
    both_count        bigint not null,
    baskets           bigint not null,
    support           numeric not null,
    confidence        numeric not null,
    lift              numeric not null,
    primary key (run_id, id)
);
create index association_rule_lift on insights.association_rule (run_id, lift desc);
create index association_rule_items on insights.association_rule using gin (antecedent);
create index association_rule_consequent on insights.association_rule using gin (consequent);

-- Next best categories / brands per member from the latest run of a level (filled set-wise after
-- mining): usable in SQL as a segment condition ("members likely to buy X").
create table insights.member_next_best (
    level       text not null,
    member_id   bigint not null,
    item_id     bigint not null,
    run_id      bigint not null,
    rank        int not null,
    score       numeric not null,                 -- confidence × lift of the best rule
    confidence  numeric not null,
    lift        numeric not null,
    rule_id     bigint not null,
    primary key (level, member_id, item_id)
);
create index member_next_best_item on insights.member_next_best (level, item_id, confidence);

-- Price bands per category (quartiles of line unit prices over the run's window) and the top brands
-- in each band, for up-sell: a member whose typical band is below the top is offered the next band.
create table insights.price_band (
    run_id       bigint not null references insights.rule_run (id) on delete cascade,
    category_id  bigint not null,
    band         int not null check (band between 1 and 4),
    min_fen      bigint not null,
    max_fen      bigint not null,
    lines        bigint not null,
    primary key (run_id, category_id, band)
);
create table insights.price_band_brand (
    run_id       bigint not null references insights.rule_run (id) on delete cascade,
    category_id  bigint not null,
    band         int not null,
    brand_id     bigint not null,
    rank         int not null,
    lines        bigint not null,
    primary key (run_id, category_id, band, brand_id)
);
