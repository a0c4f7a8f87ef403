-- Staff accounts, their roles and store scope; API keys for integrations.
create schema if not exists staff;

create table staff.account (
    id                  bigserial primary key,
    username            text not null,
    display_name        text not null,
    password_hash       text not null,
    email               text,
    enabled             boolean not null default true,
    all_stores          boolean not null default false,
    failed_logins       int not null default 0,
    locked_until        timestamptz,
    last_login_at       timestamptz,
    password_changed_at timestamptz not null default now(),
    created_at          timestamptz not null default now(),
    updated_at          timestamptz not null default now()
);
create unique index account_username on staff.account (lower(username));

create table staff.account_role (
    account_id bigint not null references staff.account(id) on delete cascade,
    role       text not null check (role in ('ADMIN','MARKETER','ANALYST','STORE_MANAGER','COUNTER_STAFF','AGENT','FINANCE')),
    primary key (account_id, role)
);

-- store ids are plain values (organization owns stores): no cross-schema foreign key
create table staff.account_store (
    account_id bigint not null references staff.account(id) on delete cascade,
    store_id   bigint not null,
    primary key (account_id, store_id)
);

create table staff.api_key (
    id           bigserial primary key,
    name         text not null,
    prefix       text not null,
    key_hash     text not null unique,
    roles        text[] not null,
    all_stores   boolean not null default false,
    store_ids    bigint[] not null default '{}',
    created_by   text not null,
    created_at   timestamptz not null default now(),
    last_used_at timestamptz,
    revoked_at   timestamptz,
    revoked_by   text
);
create unique index api_key_name_active on staff.api_key (lower(name)) where revoked_at is null;
