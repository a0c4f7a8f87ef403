-- Earn rules (configured by head office) and institutional pooling of points.
-- Semantics: dev.patron.loyalty.EarnRules and docs/loyalty-rules.md.
create table loyalty.earn_rule (
    code            text primary key check (code ~ '^[A-Z0-9_-]{1,40}$'),
    name            text not null check (length(name) between 1 and 100),
    kind            text not null check (kind in ('TIER_MULTIPLIER', 'STORE_MULTIPLIER', 'STORE_EXCLUSION',
                        'BRAND_MULTIPLIER', 'BRAND_EXCLUSION', 'CATEGORY_MULTIPLIER', 'CATEGORY_EXCLUSION',
                        'PROMOTION_MULTIPLIER', 'PROMOTION_BONUS', 'BIRTHDAY_MULTIPLIER', 'SALE_CAP', 'DAILY_CAP')),
    active          boolean not null default true,
    valid_from      timestamp,                          -- Asia/Shanghai local time; null: open
    valid_to        timestamp,
    priority        int not null default 0,
    multiplier      numeric(9, 4) check (multiplier > 0 and multiplier <= 100),
    bonus_points    bigint check (bonus_points >= 0),
    cap_points      bigint check (cap_points >= 0),
    tier_codes      text[] not null default '{}',
    store_codes     text[] not null default '{}',
    brand_codes     text[] not null default '{}',
    category_codes  text[] not null default '{}',
    version         int not null default 0,
    updated_at      timestamptz not null default now(),
    updated_by      text not null default '',
    check (valid_to is null or valid_from is null or valid_to >= valid_from)
);
create index earn_rule_active on loyalty.earn_rule (active, priority desc);

-- Per institution: credit the points of its individual members' sales to the institution.
create table loyalty.pooling (
    institution_member_id  bigint primary key,
    enabled                boolean not null,
    updated_at             timestamptz not null default now(),
    updated_by             text not null default ''
);

-- EARN entries: who bought (differs from member_id when pooled) and the sale's business date
-- (the day per-member-per-day caps count).
alter table loyalty.entry add column earned_by_member_id bigint;
alter table loyalty.entry add column earned_on date;
update loyalty.entry e set earned_on = l.earned_on, earned_by_member_id = e.member_id
    from loyalty.lot l where l.entry_id = e.id and e.kind = 'EARN';
create index entry_earn_day on loyalty.entry (member_id, earned_on) where kind = 'EARN';
