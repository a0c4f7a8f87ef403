-- Members: profiles (individual and institutional), cards, one identity table, tags, notes,
-- admin-defined custom fields, the consent ledger and the merge log. Store and staff ids are plain
-- columns (organization and staff own them): no cross-schema foreign keys.
create extension if not exists pg_trgm with schema public;
create schema if not exists members;

create table members.member (
    id               bigserial primary key,
    kind             text not null default 'INDIVIDUAL' check (kind in ('INDIVIDUAL', 'INSTITUTION')),
    status           text not null default 'ACTIVE' check (status in ('ACTIVE', 'MERGED', 'ERASED')),
    name             text not null,
    name_pinyin      text not null default '',   -- "wangxiaoming": full pinyin without tones or spaces
    name_initials    text not null default '',   -- "wxm"
    phone            text,                       -- primary mobile, E.164 (+8613812341234)
    email            text,                       -- lower-case
    gender           text check (gender in ('MALE', 'FEMALE', 'UNKNOWN')),
    birthday         date,
    region           text,
    city             text,
    occupation       text,
    industry         text,
    income_band      text,
    interests        text[] not null default '{}',
    preferred_store_id bigint,
    join_store_id    bigint,
    referrer_id      bigint references members.member(id),
    joined_on        date not null default current_date,
    join_channel     text not null check (join_channel in ('STORE_DESK', 'POS', 'WEBSITE', 'ECOMMERCE', 'IMPORT', 'CALL_CENTER', 'API')),
    owner_staff_id   bigint,                     -- 导购: staff account id
    company_name     text,
    tax_id           text,
    institution_id   bigint references members.member(id),
    custom_fields    jsonb not null default '{}'::jsonb,
    merged_into      bigint references members.member(id),
    erased_at        timestamptz,
    created_at       timestamptz not null default now(),
    updated_at       timestamptz not null default now(),
    check (status <> 'MERGED' or merged_into is not null)
);
-- store scope filter, lists per store
create index member_preferred_store on members.member (preferred_store_id);
create index member_join_store on members.member (join_store_id);
-- search: phone suffix (reverse + prefix match), name and pinyin (trigram), initials and pinyin prefix
create index member_phone_reversed on members.member (reverse(phone) text_pattern_ops) where status = 'ACTIVE';
create index member_name_trgm on members.member using gin (name gin_trgm_ops);
create index member_pinyin_trgm on members.member using gin (name_pinyin gin_trgm_ops);
create index member_name_prefix on members.member (name text_pattern_ops);
create index member_initials_prefix on members.member (name_initials text_pattern_ops);
create index member_pinyin_prefix on members.member (name_pinyin text_pattern_ops);
-- duplicate detection by name + birthday
create index member_name_birthday on members.member (name, birthday) where status = 'ACTIVE' and birthday is not null;
create index member_referrer on members.member (referrer_id) where referrer_id is not null;
create index member_institution on members.member (institution_id) where institution_id is not null;
create index member_merged_into on members.member (merged_into) where merged_into is not null;

-- One identity table: how a member is found. Card numbers and external ids belong to one member;
-- a phone or e-mail may be shared (families), so those are unique per member only.
create table members.identifier (
    id          bigserial primary key,
    member_id   bigint not null references members.member(id),
    kind        text not null check (kind in ('PHONE', 'EMAIL', 'CARD', 'EXTERNAL')),
    system      text not null default '',        -- for EXTERNAL: e.g. 'wechat', 'tmall', 'legacy'
    value       text not null,
    created_at  timestamptz not null default now(),
    check ((kind = 'EXTERNAL') = (system <> ''))
);
create unique index identifier_unique_card_external on members.identifier (kind, system, value) where kind in ('CARD', 'EXTERNAL');
create unique index identifier_unique_per_member on members.identifier (kind, system, value, member_id);
create index identifier_lookup on members.identifier (kind, value);
create index identifier_member on members.identifier (member_id);

create table members.card (
    id              bigserial primary key,
    number          text not null unique,
    member_id       bigint not null references members.member(id),
    kind            text not null check (kind in ('PHYSICAL', 'ELECTRONIC')),
    status          text not null default 'ACTIVE' check (status in ('ACTIVE', 'FROZEN', 'REPORTED_LOST', 'REPLACED', 'CANCELLED')),
    issued_at       timestamptz not null default now(),
    issued_store_id bigint,
    replaces_id     bigint references members.card(id),
    status_changed_at timestamptz not null default now()
);
create index card_member on members.card (member_id);
create sequence members.card_number_seq;

-- every status change of a card (issue, freeze, loss, replacement, cancellation)
create table members.card_event (
    id         bigserial primary key,
    card_id    bigint not null references members.card(id),
    at         timestamptz not null default now(),
    status     text not null,
    actor      text not null,
    reason     text
);
create index card_event_card on members.card_event (card_id);

create table members.contact_person (
    id         bigserial primary key,
    member_id  bigint not null references members.member(id),
    position   int not null,
    name       text not null,
    title      text,
    phone      text,
    email      text
);
create index contact_person_member on members.contact_person (member_id);

-- tags: managed ones are defined by an admin; free ones are created when first used
create table members.tag (
    id         bigserial primary key,
    name       text not null,
    managed    boolean not null default false,
    created_at timestamptz not null default now()
);
create unique index tag_name on members.tag (lower(name));

create table members.member_tag (
    member_id  bigint not null references members.member(id),
    tag_id     bigint not null references members.tag(id),
    primary key (member_id, tag_id)
);
create index member_tag_tag on members.member_tag (tag_id);

create table members.note (
    id         bigserial primary key,
    member_id  bigint not null references members.member(id),
    body       text not null,
    author     text not null,
    created_at timestamptz not null default now()
);
create index note_member on members.note (member_id);

-- admin-defined profile fields; values live in member.custom_fields, checked against the type
create table members.custom_field (
    code       text primary key,
    label      text not null,
    type       text not null check (type in ('TEXT', 'NUMBER', 'DATE', 'BOOLEAN', 'CHOICE')),
    choices    text[] not null default '{}',
    required   boolean not null default false,
    active     boolean not null default true,
    created_at timestamptz not null default now()
);

-- Consent ledger (MKT-01, PRV-01): append-only; the current state per channel and purpose is the
-- latest row. Only member_id may change, when members are merged or unmerged.
create table members.consent_event (
    id              bigserial primary key,
    member_id       bigint not null references members.member(id),
    channel         text not null check (channel in ('SMS', 'EMAIL', 'PHONE', 'APP_PUSH')),
    purpose         text not null check (purpose in ('MARKETING', 'SERVICE')),
    granted         boolean not null,
    at              timestamptz not null default now(),
    source          text not null check (source in ('STORE', 'POS', 'WEB', 'APP', 'CALL_CENTER', 'IMPORT', 'API', 'UNSUBSCRIBE')),
    wording_version text not null,
    operator        text not null,
    store_id        bigint,
    evidence        text
);
create index consent_event_current on members.consent_event (member_id, channel, purpose, at desc, id desc);

create function members.consent_append_only() returns trigger language plpgsql as $$
begin
    if tg_op = 'DELETE' then
        raise exception 'members.consent_event is append-only';
    end if;
    if (new.id, new.channel, new.purpose, new.granted, new.at, new.source, new.wording_version, new.operator,
        new.store_id, new.evidence)
       is distinct from
       (old.id, old.channel, old.purpose, old.granted, old.at, old.source, old.wording_version, old.operator,
        old.store_id, old.evidence) then
        raise exception 'members.consent_event is append-only (only member_id moves on merge)';
    end if;
    return new;
end $$;
create trigger consent_event_append_only before update or delete on members.consent_event
    for each row execute function members.consent_append_only();

-- Merges: what moved from the merged member to the survivor, so that an admin can undo it.
create table members.merge (
    id           bigserial primary key,
    survivor_id  bigint not null references members.member(id),
    merged_id    bigint not null references members.member(id),
    at           timestamptz not null default now(),
    actor        text not null,
    moved        jsonb not null,
    undone_at    timestamptz,
    undone_by    text
);
create index merge_survivor on members.merge (survivor_id);
create index merge_merged on members.merge (merged_id);
