-- Tiers (member levels). Contract shared by the tier engine and the earn rules:
--   loyalty.tier: the configured levels, rank 0 = the entry level every member has;
--   loyalty.member_tier: a member's current level (no row = the rank-0 level).
-- The tier engine adds qualification, review dates, overrides and history in later migrations.
create table loyalty.tier (
    code        text primary key check (code ~ '^[A-Z0-9_]{1,20}$'),
    rank        int not null unique check (rank >= 0),
    name_zh     text not null,
    name_en     text not null
);
insert into loyalty.tier (code, rank, name_zh, name_en) values
    ('STANDARD', 0, '普通会员', 'Standard'),
    ('THREE_STAR', 1, '三星会员', 'Three-star'),
    ('FOUR_STAR', 2, '四星会员', 'Four-star'),
    ('FIVE_STAR', 3, '五星会员', 'Five-star');

create table loyalty.member_tier (
    member_id   bigint primary key,
    tier_code   text not null references loyalty.tier(code),
    since       date not null
);
create index member_tier_code on loyalty.member_tier (tier_code);
