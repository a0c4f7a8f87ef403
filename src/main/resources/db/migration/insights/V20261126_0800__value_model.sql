-- Insights: the member value model (BG/NBD + Gamma-Gamma; docs/MODELS.md).
--   insights.value_fit: every fit attempt (kept as history): calibration window, parameters and
--     log-likelihoods, member counts, who and when; FAILED attempts keep their reason. Exactly one
--     OK fit is current (the model in use); a failed attempt never replaces it.
--   insights.member_value: per member, as of the last scoring with the current fit: statistics
--     (x, t_x, T in days) and results. Rewritten set-based after each fit and each weekly run.
--   insights.member_value_month: the member's P(alive) and CLV at the last scoring of each month
--     (for "P(alive) dropped below the threshold since last month" on the churn warning list).
--   insights.v_member_value: published read view for segments and campaigns (ADR 0008).
create schema if not exists insights;

create table insights.value_fit (
    id                  bigserial primary key,
    status              text not null check (status in ('OK', 'FAILED')),
    failure_key         text,                          -- message key of the reason of a FAILED fit
    failure_args        text[],
    calibration_start   date not null,
    calibration_end     date not null,
    r                   double precision,
    alpha               double precision,
    a                   double precision,
    b                   double precision,
    log_likelihood      double precision,              -- BG/NBD, natural log
    p                   double precision,
    q                   double precision,
    gamma               double precision,
    spend_log_likelihood double precision,             -- Gamma-Gamma (spend in yuan)
    members             bigint not null default 0,     -- members with a purchase in the window
    repeat_buyers       bigint not null default 0,     -- of them with at least one repeat purchase day
    cells               bigint not null default 0,     -- distinct (x, t_x, T): what the fit iterated over
    evaluations         int not null default 0,
    chart               jsonb,                         -- weekly cumulative repeat purchases, actual vs model
    fitted_by           text not null,
    fitted_at           timestamptz not null default now(),
    current             boolean not null default false,
    check (not current or status = 'OK')
);
create unique index value_fit_one_current on insights.value_fit (current) where current;
create index value_fit_at on insights.value_fit (fitted_at desc);

create table insights.member_value (
    member_id               bigint primary key,
    fit_id                  bigint not null references insights.value_fit (id),
    as_of                   date not null,
    x                       int not null,               -- repeat purchase days in the window
    tx_days                 int not null,               -- first to last purchase day
    t_days                  int not null,               -- first purchase day to as_of
    last_purchase_on        date not null,
    repeat_avg_fen          bigint,                     -- average spend of the repeat purchase days; null if x = 0
    p_alive                 double precision not null,
    p_alive_month_ago       double precision,           -- same model, purchases up to as_of - 1 month; null: first bought since
    expected_purchases_12m  double precision not null,  -- purchase days in the next 52 weeks
    expected_spend_fen      bigint not null,            -- per purchase day
    value_12m_fen           bigint not null,            -- expected_purchases_12m x expected spend
    clv_fen                 bigint not null             -- discounted, see docs/MODELS.md
);
create index member_value_clv on insights.member_value (clv_fen desc);

create table insights.member_value_month (
    month       date not null,                          -- first day of the month
    member_id   bigint not null,
    p_alive     double precision not null,
    clv_fen     bigint not null,
    primary key (month, member_id)
);

create view insights.v_member_value as
    select member_id, as_of, p_alive, expected_purchases_12m, expected_spend_fen, value_12m_fen, clv_fen,
           last_purchase_on
    from insights.member_value;
