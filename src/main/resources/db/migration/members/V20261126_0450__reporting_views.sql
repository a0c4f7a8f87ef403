-- Published read views for the reporting modules (segments, analytics, insights, campaigns); see
-- docs/adr/0008-reporting-reads-published-views.md. Plain projections: the planner inlines them,
-- so they use the indexes of members.member. Only ACTIVE members are live; MERGED and ERASED rows
-- stay for history.
create view members.v_member as
    select id, kind, status, name, phone, email, gender, birthday, region, city, occupation, industry,
           income_band, interests, preferred_store_id, join_store_id, referrer_id, joined_on,
           join_channel, owner_staff_id, institution_id, merged_into, created_at, updated_at
    from members.member;
create view members.v_identifier as
    select member_id, kind, system, value from members.identifier;
create view members.v_member_tag as
    select mt.member_id, mt.tag_id, t.name as tag_name, t.managed
    from members.member_tag mt join members.tag t on t.id = mt.tag_id;
-- The member's current consent per channel and purpose (the latest event wins; no row = never asked).
create view members.v_consent_current as
    select distinct on (member_id, channel, purpose) member_id, channel, purpose, granted, at, source,
           wording_version
    from members.consent_event
    order by member_id, channel, purpose, at desc, id desc;
