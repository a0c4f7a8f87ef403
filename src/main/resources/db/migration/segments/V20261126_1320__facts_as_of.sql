-- The day every member's facts were last brought to, by a full rebuild from all tickets or by the
-- daily roll (Rfm.refresh). The roll recomputes only the members whose 12-month windows changed
-- (a ticket left the window, or a ticket dated after the previous day arrived), so a member_fact row
-- whose own as_of is older is still exact as of this day: readers show greatest(as_of, facts_as_of).
alter table segments.rfm_settings add column facts_as_of date;
update segments.rfm_settings set facts_as_of = last_full_as_of;
