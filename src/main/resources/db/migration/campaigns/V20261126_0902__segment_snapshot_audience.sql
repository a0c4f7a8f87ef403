-- A campaign may target a segment snapshot (a frozen member list taken in the segments module).
alter table campaigns.campaign add column audience_snapshot_id bigint;
