-- Rule segments and static lists (docs/segments.md, "Rule segments").
--   segment: a RULE segment has a definition (jsonb, versioned) compiled to one SQL query over the
--     published views and segments.member_fact / member_rfm; a STATIC segment is an uploaded list.
--   segment_member: current members (since = the day the member joined the segment).
--   segment_change: every join and leave with its day and cause (REFRESH, MEMBER, UPLOAD).
--   segment_size_day: size per day (the last refresh or change of the day wins).
--   snapshot / snapshot_member: a frozen member list of a segment (what campaigns target).
create table segments.segment (
    id                 bigserial primary key,
    name               text not null,
    description        text not null default '',
    kind               text not null check (kind in ('RULE', 'STATIC')),
    definition         jsonb,                                   -- RULE only
    definition_version int not null default 1,
    member_count       int not null default 0,
    last_refreshed_at  timestamptz,
    created_by         text not null,
    created_at         timestamptz not null default now(),
    updated_by         text not null,
    updated_at         timestamptz not null default now(),
    deleted_at         timestamptz,
    check ((kind = 'RULE') = (definition is not null))
);
create unique index segment_name_live on segments.segment (lower(name)) where deleted_at is null;

create table segments.segment_member (
    segment_id bigint not null references segments.segment (id),
    member_id  bigint not null,
    since      date   not null,
    primary key (segment_id, member_id)
);
create index segment_member_member on segments.segment_member (member_id);

create table segments.segment_change (
    id         bigserial primary key,
    segment_id bigint not null references segments.segment (id),
    member_id  bigint not null,
    change     text   not null check (change in ('JOINED', 'LEFT')),
    on_date    date   not null,
    cause      text   not null check (cause in ('REFRESH', 'MEMBER', 'UPLOAD')),
    at         timestamptz not null default now()
);
create index segment_change_segment on segments.segment_change (segment_id, on_date);
create index segment_change_member on segments.segment_change (member_id);

create table segments.segment_size_day (
    segment_id bigint not null references segments.segment (id),
    day        date   not null,
    size       int    not null,
    primary key (segment_id, day)
);

create table segments.snapshot (
    id         bigserial primary key,
    segment_id bigint not null references segments.segment (id),
    size       int    not null,
    taken_at   timestamptz not null default now(),
    taken_by   text   not null
);
create index snapshot_segment on segments.snapshot (segment_id, taken_at desc);

create table segments.snapshot_member (
    snapshot_id bigint not null references segments.snapshot (id),
    member_id   bigint not null,
    primary key (snapshot_id, member_id)
);
