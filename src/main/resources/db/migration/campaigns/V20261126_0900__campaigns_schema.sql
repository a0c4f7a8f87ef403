-- Campaigns: plan, approve, send and measure member campaigns (docs/campaigns.md). Other modules'
-- ids (members, stores, brands) are plain columns; their data is read through the published v_*
-- views (docs/adr/0008-reporting-reads-published-views.md).
create schema if not exists campaigns;

create table campaigns.campaign (
    id                 bigserial primary key,
    name               text not null,
    kind               text not null check (kind in ('MALL_WIDE', 'BRAND', 'MEMBER_EVENT')),
    goal               text not null default '',
    brand_id           bigint,
    owner              text not null,
    period_start       date not null,
    period_end         date not null check (period_end >= period_start),
    budget_fen         bigint not null default 0 check (budget_fen >= 0),
    other_cost_fen     bigint not null default 0 check (other_cost_fen >= 0),
    channels           text[] not null,
    control_pct        int not null default 10 check (control_pct between 0 and 50),
    control_seed       bigint not null,
    attribution_days   int not null default 14 check (attribution_days between 1 and 90),
    audience_kind      text not null default 'STATIC_LIST' check (audience_kind in ('STATIC_LIST', 'SEGMENT_SNAPSHOT')),
    bonus_points       bigint not null default 0 check (bonus_points >= 0),
    gift_name          text,
    gift_cost_fen      bigint not null default 0 check (gift_cost_fen >= 0),
    gifts_handed_out   int not null default 0 check (gifts_handed_out >= 0),
    status             text not null default 'DRAFT'
                       check (status in ('DRAFT', 'SUBMITTED', 'APPROVED', 'SCHEDULED', 'RUNNING', 'FINISHED', 'CANCELLED')),
    source_campaign_id bigint references campaigns.campaign(id),
    submitted_by       text,
    approved_by        text,
    send_at            timestamptz,
    frozen_at          timestamptz,
    started_at         timestamptz,
    finished_at        timestamptz,
    created_at         timestamptz not null default now(),
    updated_at         timestamptz not null default now()
);
create index campaign_status on campaigns.campaign (status, send_at);

-- Message templates per channel and language. SMS: body only; e-mail: subject, text body and HTML.
create table campaigns.template (
    campaign_id bigint not null references campaigns.campaign(id),
    channel     text not null check (channel in ('EMAIL', 'SMS', 'PHONE')),
    lang        text not null check (lang in ('zh', 'en')),
    subject     text,
    body        text not null,
    html        text,
    primary key (campaign_id, channel, lang)
);

-- Every lifecycle step: who, when, from which state to which, with the comment given.
create table campaigns.step (
    id          bigserial primary key,
    campaign_id bigint not null references campaigns.campaign(id),
    from_status text,
    to_status   text not null,
    actor       text not null,
    at          timestamptz not null default now(),
    comment     text
);
create index step_campaign on campaigns.step (campaign_id, id);

-- The uploaded static list, one row per line, with how it resolved (the row report).
create table campaigns.audience_upload (
    campaign_id bigint not null references campaigns.campaign(id),
    line_no     int not null,
    raw         text not null,
    kind        text not null check (kind in ('PHONE', 'CARD', 'MEMBER_ID', 'INVALID')),
    key         text,
    member_id   bigint,
    problem     text,
    primary key (campaign_id, line_no)
);

-- The audience: resolved members; control and eligible are decided when it is frozen at approval.
create table campaigns.audience_member (
    campaign_id bigint not null references campaigns.campaign(id),
    member_id   bigint not null,
    control     boolean not null default false,
    eligible    boolean,
    primary key (campaign_id, member_id)
);

-- One row per (campaign, member, channel): a resend can never duplicate. State machine:
-- PENDING -> SENDING -> SENT | FAILED | UNKNOWN (claimed, outcome lost in a crash; never resent)
-- and SUPPRESSED (no consent, no address, duplicate address, frequency cap, cancelled).
create table campaigns.message (
    id          bigserial primary key,
    campaign_id bigint not null references campaigns.campaign(id),
    member_id   bigint not null,
    channel     text not null check (channel in ('EMAIL', 'SMS', 'PHONE')),
    address     text,
    status      text not null check (status in ('PENDING', 'SENDING', 'SENT', 'FAILED', 'UNKNOWN', 'SUPPRESSED')),
    reason      text,
    attempts    int not null default 0,
    not_before  timestamptz not null default now(),
    claimed_at  timestamptz,
    sent_at     timestamptz,
    provider_id text,
    segments    int,
    last_error  text,
    unique (campaign_id, member_id, channel)
);
create index message_due on campaigns.message (campaign_id, not_before, id) where status = 'PENDING';
create index message_stuck on campaigns.message (claimed_at) where status = 'SENDING';
create index message_member_recent on campaigns.message (member_id, coalesce(sent_at, claimed_at))
    where status in ('SENT', 'SENDING', 'UNKNOWN');
create index message_address on campaigns.message (channel, address);

-- Tracked links of a campaign's templates ({link:URL}), numbered in order of appearance.
create table campaigns.link (
    campaign_id bigint not null references campaigns.campaign(id),
    link_no     int not null,
    url         text not null,
    primary key (campaign_id, link_no),
    unique (campaign_id, url)
);

create table campaigns.tracking_event (
    id         bigserial primary key,
    message_id bigint not null references campaigns.message(id),
    kind       text not null check (kind in ('OPEN', 'CLICK', 'UNSUBSCRIBE', 'BOUNCE_HARD', 'BOUNCE_SOFT', 'REPLY_STOP')),
    link_no    int,
    at         timestamptz not null default now(),
    detail     text
);
create index tracking_event_message on campaigns.tracking_event (message_id, kind);

-- Addresses that hard-bounced (or a gateway reported as empty numbers): never sent to again.
create table campaigns.invalid_address (
    channel text not null,
    address text not null,
    reason  text not null,
    at      timestamptz not null default now(),
    primary key (channel, address)
);

-- A gateway failure pauses its channel until someone resumes it (the error is shown).
create table campaigns.channel_state (
    channel   text primary key check (channel in ('EMAIL', 'SMS', 'PHONE')),
    paused    boolean not null default false,
    error     text,
    paused_at timestamptz
);
insert into campaigns.channel_state (channel) values ('EMAIL'), ('SMS'), ('PHONE');

-- Settings (one row): SMTP server, sender identity (MKT-13), caps, quiet hours, pacing, unit costs.
create table campaigns.settings (
    id               smallint primary key default 1 check (id = 1),
    smtp_host        text not null default 'localhost',
    smtp_port        int not null default 25 check (smtp_port between 1 and 65535),
    from_address     text not null default 'crm@example.com',
    sender_name      text not null default '阳光百货会员中心',
    sender_contact   text not null default '400-000-0000',
    sms_signature    text not null default '阳光百货',
    frequency_cap    int not null default 3 check (frequency_cap between 1 and 50),
    quiet_start      time not null default '21:00',
    quiet_end        time not null default '08:00',
    rate_per_second  int not null default 200 check (rate_per_second between 1 and 5000),
    batch_size       int not null default 200 check (batch_size between 1 and 5000),
    max_attempts     int not null default 4 check (max_attempts between 1 and 10),
    email_cost_fen   numeric(12, 4) not null default 0.5,
    sms_cost_fen     numeric(12, 4) not null default 4.5,
    point_cost_fen   numeric(12, 4) not null default 1,
    public_base_url  text not null default 'http://localhost:8080',
    tracking_secret  text not null default md5(random()::text || clock_timestamp()::text) || md5(random()::text),
    sms_callback_secret text not null default md5(random()::text || clock_timestamp()::text) || md5(random()::text),
    updated_at       timestamptz not null default now()
);
insert into campaigns.settings (id) values (1);

-- Phone: a PHONE message "sent" is a call on the agents' list; the agent records the outcome.
create table campaigns.call_outcome (
    message_id bigint primary key references campaigns.message(id),
    outcome    text not null check (outcome in ('REACHED', 'NO_ANSWER', 'INTERESTED', 'DECLINED')),
    note       text,
    agent      text not null,
    at         timestamptz not null default now()
);
