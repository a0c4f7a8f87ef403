-- MKT-04: the SMS reply keywords (R, T, TD, 退订 …) and the scope of a STOP reply are configurable
-- at run time: GLOBAL (default: the number's SMS marketing consent is withdrawn in the members
-- ledger) or SIGNATURE (only the 【signature】 the member replied to stops; other signatures of the
-- installation may still send). One row; absent = the defaults of the properties.
create table campaigns.sms_reply_settings (
    id          int primary key default 1 check (id = 1),
    scope       text not null default 'GLOBAL' check (scope in ('GLOBAL', 'SIGNATURE')),
    stop_words  text[] not null,
    updated_by  text not null,
    updated_at  timestamptz not null default now()
);
-- Per-signature opt-outs (scope SIGNATURE): the number does not get SMS under that signature again.
create table campaigns.sms_signature_optout (
    phone       text not null,
    signature   text not null,
    at          timestamptz not null default now(),
    evidence    text not null,
    primary key (phone, signature)
);
-- the signature each SMS went out under, so a reply is matched to the signature it answers
alter table campaigns.message add column signature text;
