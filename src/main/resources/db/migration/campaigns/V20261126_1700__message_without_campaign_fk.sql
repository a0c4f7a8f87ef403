-- Starting a campaign inserts one message per audience member and channel in one statement. The
-- foreign key message.campaign_id → campaign checked each row on its own (about 11 µs a row):
-- 10 of the 30 seconds a 1M audience may take (docs/PERFORMANCE.md, campaigns). The only insert of
-- messages (Sending.start) takes the campaign id from the campaign row it has just moved to RUNNING
-- in the same transaction, and campaigns are never deleted (they are kept for results and for
-- "copy as new"); the trigger below makes that a rule of the database rather than a habit of the code.
alter table campaigns.message drop constraint message_campaign_id_fkey;

create function campaigns.campaign_never_deleted() returns trigger language plpgsql as $$
begin
  raise exception 'campaigns are never deleted (their messages and results refer to them)'
    using errcode = 'restrict_violation';
end $$;

create trigger campaign_never_deleted before delete or truncate on campaigns.campaign
  for each statement execute function campaigns.campaign_never_deleted();
