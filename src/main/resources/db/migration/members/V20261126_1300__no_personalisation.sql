-- PRV-09 / MKT-16: the member-level "no personalised recommendations / marketing" switch.
-- members.member.no_personalisation is the current state (read by campaigns, segments and insights
-- through members.v_member); members.personalisation_event is its append-only history (who, when,
-- where, why), kept like the consent ledger.
alter table members.member
    add column no_personalisation boolean not null default false,
    add column no_personalisation_at timestamptz;

create table members.personalisation_event (
    id          bigserial primary key,
    member_id   bigint not null references members.member(id),
    switched_off boolean not null,
    at          timestamptz not null default now(),
    source      text not null check (source in ('STORE', 'POS', 'WEB', 'APP', 'CALL_CENTER', 'IMPORT', 'API', 'UNSUBSCRIBE')),
    operator    text not null,
    store_id    bigint,
    evidence    text
);
create index personalisation_event_member on members.personalisation_event (member_id, at desc, id desc);
-- the flagged members are few: a partial index serves "who switched it off" lists
create index member_no_personalisation on members.member (id) where no_personalisation;

create function members.personalisation_append_only() returns trigger language plpgsql as $$
begin
    if tg_op = 'DELETE' then
        raise exception 'members.personalisation_event is append-only';
    end if;
    if (new.id, new.switched_off, new.at, new.source, new.operator, new.store_id, new.evidence)
       is distinct from
       (old.id, old.switched_off, old.at, old.source, old.operator, old.store_id, old.evidence) then
        raise exception 'members.personalisation_event is append-only (only member_id moves on merge)';
    end if;
    return new;
end $$;
create trigger personalisation_event_append_only before update or delete on members.personalisation_event
    for each row execute function members.personalisation_append_only();

-- ADR 0008: the published view gains the switch as an appended column (existing columns unchanged).
create or replace view members.v_member as
    select id, kind, status, name, phone, email, gender, birthday, region, city, occupation, industry,
           income_band, interests, preferred_store_id, join_store_id, referrer_id, joined_on,
           join_channel, owner_staff_id, institution_id, merged_into, created_at, updated_at,
           no_personalisation
    from members.member;
