-- The audit module's SQL entry point for a sensitive read recorded by the statement that reads:
-- a lookup on the tills' hot path probes the member and records "member.viewed" in one statement
-- (one round trip, committed durably with the read). Other modules call this function instead of
-- writing to audit.audit_event; the table stays the audit module's own.
create function audit.record_read(
    p_actor text, p_actor_type text, p_action text, p_entity_type text, p_entity_id text,
    p_details jsonb, p_ip text) returns boolean
    language sql volatile as $$
    insert into audit.audit_event(actor, actor_type, action, entity_type, entity_id, details, ip)
    values (p_actor, p_actor_type, p_action, p_entity_type, p_entity_id, coalesce(p_details, '{}'::jsonb), p_ip)
    returning true
$$;
