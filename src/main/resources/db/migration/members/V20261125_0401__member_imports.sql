-- Member imports: a job per uploaded file, validated rows staged (unlogged: a crash loses only the
-- staging, the job is re-run), and a row-level report (row, field, reason). Rows go into the
-- member tables set-based in one transaction at the end, so an import never stops half-way.
create table members.import_job (
    id           bigserial primary key,
    file_name    text not null,
    format       text not null check (format in ('CSV', 'XLSX')),
    file_path    text not null,
    headers      text[] not null default '{}',
    status       text not null default 'UPLOADED' check (status in ('UPLOADED', 'RUNNING', 'DONE', 'FAILED')),
    mode         text check (mode in ('ALL_OR_NOTHING', 'SKIP_BAD_ROWS')),
    mapping      jsonb,
    total_rows   bigint not null default 0,
    created_rows bigint not null default 0,
    duplicate_rows bigint not null default 0,
    failed_rows  bigint not null default 0,
    created_by   text not null,
    created_at   timestamptz not null default now(),
    finished_at  timestamptz
);

create unlogged table members.import_row (
    job_id             bigint not null,
    row_no             bigint not null,
    member_id          bigint not null default nextval('members.member_id_seq'),
    name               text not null,
    name_pinyin        text not null,
    name_initials      text not null,
    phone              text,
    email              text,
    gender             text,
    birthday           date,
    region             text,
    city               text,
    occupation         text,
    industry           text,
    preferred_store_id bigint,
    join_store_id      bigint,
    joined_on          date not null,
    card_number        text,
    card_given         boolean not null default false,
    tags               text,          -- tags separated by U+001F
    ext_system         text,
    ext_value          text,
    custom_fields      jsonb not null default '{}'::jsonb,
    status             text not null default 'OK' check (status in ('OK', 'DUPLICATE', 'ERROR')),
    reason_key         text,
    reason_args        text[],
    primary key (job_id, row_no)
);
create index import_row_phone on members.import_row (job_id, phone) where phone is not null;

create table members.import_error (
    id          bigserial primary key,
    job_id      bigint not null references members.import_job(id),
    row_no      bigint not null,
    field       text not null,
    message_key text not null,
    args        text[] not null default '{}'
);
create index import_error_job on members.import_error (job_id, row_no);

-- Luhn check digit of a digit string (the same rule as CardNumbers.luhnDigit), for cards issued in bulk.
create function members.luhn_digit(payload text) returns int language sql immutable as $$
    select (10 - coalesce(sum(case when (length(payload) - i) % 2 = 0
                                   then case when 2 * substr(payload, i, 1)::int > 9 then 2 * substr(payload, i, 1)::int - 9
                                             else 2 * substr(payload, i, 1)::int end
                                   else substr(payload, i, 1)::int end), 0) % 10) % 10
    from generate_series(1, length(payload)) as i
$$;
