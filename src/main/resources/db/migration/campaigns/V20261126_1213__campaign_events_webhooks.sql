-- Campaign events out (docs/campaigns.md "Events and webhooks"): who responded (once per campaign
-- and member), webhook endpoints (ADMIN; the secret is shown once) and the delivery outbox, filled in
-- the transaction of the event and drained with retries (at least once; receivers de-duplicate on the
-- event id).
create table campaigns.response (
    campaign_id bigint not null references campaigns.campaign(id),
    member_id   bigint not null,
    sale_id     bigint not null,
    at          timestamptz not null,
    message_id  bigint not null references campaigns.message(id),
    channel     text not null,
    primary key (campaign_id, member_id)
);

create table campaigns.webhook_endpoint (
    id          bigserial primary key,
    url         text not null,
    secret      text not null,
    event_types text[] not null,
    active      boolean not null default true,
    created_by  text not null,
    created_at  timestamptz not null default now()
);

create table campaigns.webhook_delivery (
    id          bigserial primary key,
    endpoint_id bigint not null references campaigns.webhook_endpoint(id),
    event_id    uuid not null,
    event_type  text not null,
    payload     text not null,
    status      text not null default 'PENDING' check (status in ('PENDING', 'DELIVERED', 'FAILED')),
    attempts    int not null default 0,
    next_at     timestamptz not null default now(),
    last_status int,
    last_error  text,
    created_at  timestamptz not null default now(),
    delivered_at timestamptz,
    unique (endpoint_id, event_id)
);
create index webhook_delivery_due on campaigns.webhook_delivery (next_at, id) where status = 'PENDING';
create index webhook_delivery_endpoint on campaigns.webhook_delivery (endpoint_id, id desc);
