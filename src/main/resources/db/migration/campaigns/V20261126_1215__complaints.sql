-- MKT-17: complaints about marketing messages (directly or forwarded by 12321), each with a due date
-- (default 15 working days) and, where known, the message it is about.
create table campaigns.complaint (
    id          bigserial primary key,
    source      text not null check (source in ('DIRECT', 'CALL_CENTER', 'REGULATOR_12321', 'OTHER')),
    phone       text,
    email       text,
    message_id  bigint references campaigns.message(id),
    text        text not null,
    received_on date not null,
    due_on      date not null,
    status      text not null default 'OPEN' check (status in ('OPEN', 'CLOSED')),
    resolution  text,
    created_by  text not null,
    created_at  timestamptz not null default now(),
    closed_by   text,
    closed_at   timestamptz
);
create index complaint_open on campaigns.complaint (due_on) where status = 'OPEN';
