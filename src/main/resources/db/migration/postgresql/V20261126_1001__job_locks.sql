-- ShedLock's lock rows for every scheduled job of every module (shared.db.JobLocks): one instance
-- runs each job at a time. It used to be loyalty.shedlock, which the jobs of segments, insights and
-- campaigns wrote into too; a lock row only lives while its job runs, so nothing is copied.
create table if not exists public.shedlock (
    name        varchar(64) primary key,
    lock_until  timestamptz not null,
    locked_at   timestamptz not null,
    locked_by   varchar(255) not null
);
