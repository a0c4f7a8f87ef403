-- Triggered (care) campaigns: a rule picks the members of an occasion (birthday in N days, points
-- expiring within N days) every day and creates a campaign through the same engine (audience,
-- control group, consent at send time, tracking, results) from an approved source campaign.
create table campaigns.trigger_rule (
    id                 bigserial primary key,
    name               text not null,
    kind               text not null check (kind in ('BIRTHDAY', 'POINTS_EXPIRING')),
    days_ahead         int not null check (days_ahead between 0 and 60),
    min_points         bigint not null default 1 check (min_points >= 1),
    source_campaign_id bigint not null references campaigns.campaign(id),
    active             boolean not null default true,
    created_by         text not null,
    created_at         timestamptz not null default now()
);

-- One row per rule, member and occasion (the birthday's year, or the month of an expiry reminder):
-- a member is picked once per occasion, however often the rule runs.
create table campaigns.trigger_fire (
    rule_id     bigint not null references campaigns.trigger_rule(id),
    member_id   bigint not null,
    occasion    text not null,
    campaign_id bigint references campaigns.campaign(id),
    fired_at    timestamptz not null default now(),
    primary key (rule_id, member_id, occasion)
);
