-- Audit trail (append-only): changes to staff, keys, organisation, money and points; sensitive reads.
create schema if not exists audit;

create table audit.audit_event (
    id          bigserial primary key,
    at          timestamptz not null default now(),
    actor       text        not null,
    actor_type  text        not null,
    action      text        not null,
    entity_type text        not null,
    entity_id   text,
    details     jsonb       not null default '{}'::jsonb,
    ip          text
);
create index audit_event_entity on audit.audit_event (entity_type, entity_id);
create index audit_event_at on audit.audit_event (at);

-- Nobody updates or deletes audit rows through the application.
create function audit.forbid_change() returns trigger language plpgsql as $$
begin
    raise exception 'audit.audit_event is append-only';
end $$;
create trigger audit_event_append_only before update or delete on audit.audit_event
    for each row execute function audit.forbid_change();
