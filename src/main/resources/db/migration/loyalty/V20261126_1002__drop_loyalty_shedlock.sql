-- The job locks moved to public.shedlock (shared.db.JobLocks); loyalty no longer owns them.
drop table if exists loyalty.shedlock;
