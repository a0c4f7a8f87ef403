-- Historical sales imports: a job per uploaded CSV (one line item per row), its progress and result,
-- and the row-level report (errors, and tickets skipped because they were recorded before). The rows
-- themselves are staged in per-job unlogged tables (sales.import_raw_<job>, import_line_<job>,
-- import_ticket_<job>) that the job creates and drops; see SalesImportRunner.
create table sales.import_job (
    id               bigserial primary key,
    file_name        text not null,
    file_path        text not null,
    file_bytes       bigint not null default 0,
    headers          text[] not null default '{}',
    status           text not null default 'UPLOADED'
                     check (status in ('UPLOADED', 'RUNNING', 'DONE', 'FAILED')),
    mode             text check (mode in ('ALL_OR_NOTHING', 'SKIP_BAD_TICKETS')),
    accrue_points    boolean not null default false,
    phase            text not null default '',        -- READING, CHECKING, WRITING, while RUNNING
    total_rows       bigint not null default 0,
    total_tickets    bigint not null default 0,
    imported_tickets bigint not null default 0,
    imported_rows    bigint not null default 0,
    skipped_tickets  bigint not null default 0,       -- recorded before (same store + POS transaction id)
    failed_tickets   bigint not null default 0,
    failed_rows      bigint not null default 0,
    error            text,                            -- why a run stopped (not a row problem)
    created_by       text not null,
    created_at       timestamptz not null default now(),
    started_at       timestamptz,
    finished_at      timestamptz
);
create index import_job_created on sales.import_job (created_at desc);

create table sales.import_problem (
    id          bigserial primary key,
    job_id      bigint not null references sales.import_job(id),
    row_no      bigint not null,                      -- the header is row 1
    field       text not null,
    kind        text not null check (kind in ('ERROR', 'SKIPPED')),
    message_key text not null,
    args        text[] not null default '{}'          -- numbers written #123
);
create index import_problem_job on sales.import_problem (job_id, row_no);
