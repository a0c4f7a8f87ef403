-- Tier engine: benefits and qualification thresholds of the levels, the program's qualification
-- basis, a member's review date and override, the tier history, and the per-sale qualification
-- figures (exactly once per ticket, keyed by sale id) that the rolling 12-month figure is summed from.
alter table loyalty.tier
    add column threshold          bigint not null default 0 check (threshold >= 0),  -- fen (SPEND) or points (POINTS)
    add column points_multiplier  numeric(6, 2) not null default 1 check (points_multiplier > 0),
    add column discount_rate      numeric(5, 4) not null default 1 check (discount_rate > 0 and discount_rate <= 1),
    add column free_services      text[] not null default '{}',
    add column birthday_gift      text not null default '';
update loyalty.tier set threshold = 500000, points_multiplier = 1.2, discount_rate = 0.98 where code = 'THREE_STAR';
update loyalty.tier set threshold = 2000000, points_multiplier = 1.5, discount_rate = 0.95,
    free_services = '{免费停车}' where code = 'FOUR_STAR';
update loyalty.tier set threshold = 5000000, points_multiplier = 2, discount_rate = 0.9,
    free_services = '{免费停车,免费包装,专属导购}', birthday_gift = '生日礼盒' where code = 'FIVE_STAR';

-- One row: what qualifies a member for a level (rolling 12 months up to today).
create table loyalty.tier_program (
    id          smallint primary key default 1 check (id = 1),
    basis       text not null default 'SPEND' check (basis in ('SPEND', 'POINTS')),
    updated_at  timestamptz not null default now(),
    updated_by  text not null default ''
);
insert into loyalty.tier_program (id) values (1);

-- review_on: the anniversary of the last upgrade (null at rank 0); override_*: a staff override
-- (the engine leaves the tier alone until override_until has passed, then restores base_*).
alter table loyalty.member_tier
    add column review_on        date,
    add column override_until   date,
    add column override_reason  text,
    add column override_by      text,
    add column base_tier_code   text references loyalty.tier(code),
    add column base_review_on   date;
create index member_tier_review on loyalty.member_tier (review_on) where review_on is not null;
create index member_tier_override on loyalty.member_tier (override_until) where override_until is not null;

-- Each sale and return of a member once: its amount (fen, negative for returns) and points
-- (EARN points, minus the points a return reversed), dated by the business date of the sale
-- (a return by its original sale's date, so that returning an old sale does not count twice).
create table loyalty.tier_sale (
    sale_id        bigint primary key,
    member_id      bigint not null,
    business_date  date not null,
    amount_fen     bigint not null,
    points         bigint not null default 0
);
create index tier_sale_member on loyalty.tier_sale (member_id, business_date);

-- Merges handled (exactly once per merge id), and which tier_sale rows a merge moved.
create table loyalty.tier_merge (
    merge_id   bigint primary key,
    undone     boolean not null default false
);
create table loyalty.tier_merge_move (
    merge_id   bigint not null,
    sale_id    bigint not null,
    primary key (merge_id, sale_id)
);

create table loyalty.tier_history (
    id          bigserial primary key,
    member_id   bigint not null,
    from_code   text,
    to_code     text not null,
    cause       text not null check (cause in ('UPGRADE', 'DOWNGRADE', 'REVIEW_KEEP', 'OVERRIDE', 'OVERRIDE_END', 'MERGE')),
    on_date     date not null,
    figure      bigint,
    reason      text not null default '',
    merge_id    bigint,
    created_by  text not null default 'system',
    created_at  timestamptz not null default now()
);
create index tier_history_member on loyalty.tier_history (member_id, id);
