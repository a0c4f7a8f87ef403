-- The sales feed (docs/adr/0016-sales-feed.md): every SalesRecorded event is stored once in
-- feed_event, in the transaction that recorded its tickets, with one feed_delivery row per consumer
-- module. A consumer takes a batch of its deliveries (FOR UPDATE SKIP LOCKED), deletes them and does
-- its work in one transaction: applied exactly once, never lost, several events per transaction
-- under load. No foreign key from delivery to event: both rows are written in the same statement
-- sequence of the same transaction, and the key check would cost a probe per delivery.
create table sales.feed_event (
    id bigint generated always as identity primary key,
    recorded_at timestamptz not null default now(),
    tickets int not null check (tickets > 0),
    payload json not null
);

create table sales.feed_delivery (
    consumer text not null,
    event_id bigint not null,
    attempts int not null default 0,
    next_attempt_at timestamptz,
    last_error text,
    primary key (consumer, event_id)
);

-- a queue: rows are inserted and deleted all the time; vacuum it often so that the head of the
-- primary key stays short
alter table sales.feed_delivery set (autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 2000,
    autovacuum_vacuum_cost_delay = 0);
alter table sales.feed_event set (autovacuum_vacuum_scale_factor = 0.01);
