-- Organisation and reference data: head office, regions, stores, concession counters (专柜),
-- brands and the product category tree. Codes are upper-case and unique per kind.
create schema if not exists organization;

create table organization.head_office (
    id          smallint primary key default 1 check (id = 1),
    code        text not null,
    name        text not null,
    legal_name  text,
    time_zone   text not null default 'Asia/Shanghai',
    currency    char(3) not null default 'CNY',
    updated_at  timestamptz not null default now()
);
insert into organization.head_office(code, name) values ('HQ', '总部');

create table organization.region (
    id          bigserial primary key,
    code        text not null unique,
    name        text not null,
    created_at  timestamptz not null default now(),
    updated_at  timestamptz not null default now()
);

create table organization.store (
    id           bigserial primary key,
    code         text not null unique,
    name         text not null,
    region_id    bigint not null references organization.region(id),
    legal_entity text,
    city         text,
    address      text,
    phone        text,
    time_zone    text not null default 'Asia/Shanghai',
    opened_on    date,
    status       text not null default 'ACTIVE' check (status in ('ACTIVE', 'CLOSED')),
    created_at   timestamptz not null default now(),
    updated_at   timestamptz not null default now()
);
create index store_region on organization.store(region_id);

create table organization.category (
    id          bigserial primary key,
    code        text not null unique,
    name        text not null,
    parent_id   bigint references organization.category(id),
    depth       int not null default 0,
    sort_order  int not null default 0,
    created_at  timestamptz not null default now(),
    updated_at  timestamptz not null default now()
);
create index category_parent on organization.category(parent_id);

create table organization.brand (
    id           bigserial primary key,
    code         text not null unique,
    name         text not null,
    name_en      text,
    category_id  bigint references organization.category(id),
    status       text not null default 'ACTIVE' check (status in ('ACTIVE', 'INACTIVE')),
    created_at   timestamptz not null default now(),
    updated_at   timestamptz not null default now()
);

create table organization.counter (
    id             bigserial primary key,
    code           text not null unique,
    name           text not null,
    store_id       bigint not null references organization.store(id),
    supplier_name  text not null,
    supplier_code  text,
    floor          text,
    status         text not null default 'ACTIVE' check (status in ('ACTIVE', 'CLOSED')),
    created_at     timestamptz not null default now(),
    updated_at     timestamptz not null default now()
);
create index counter_store on organization.counter(store_id);

create table organization.counter_brand (
    counter_id bigint not null references organization.counter(id) on delete cascade,
    brand_id   bigint not null references organization.brand(id),
    primary key (counter_id, brand_id)
);
create index counter_brand_brand on organization.counter_brand(brand_id);

-- Stable read views for reporting and other modules.
create view organization.v_store as
    select s.id, s.code, s.name, s.region_id, r.code as region_code, r.name as region_name, s.city,
           s.legal_entity, s.time_zone, s.status
    from organization.store s join organization.region r on r.id = s.region_id;
create view organization.v_counter as
    select c.id, c.code, c.name, c.store_id, s.code as store_code, c.supplier_name, c.status
    from organization.counter c join organization.store s on s.id = c.store_id;
