-- MKT-16 / PRV-09: whether a campaign's target is personal (a segment with personal conditions, or a
-- triggered campaign picking members by birthday or points). Members who switched personalisation
-- off (members.v_member.no_personalisation) receive only campaigns whose target is not personal.
alter table campaigns.campaign add column personal_target boolean not null default false;
