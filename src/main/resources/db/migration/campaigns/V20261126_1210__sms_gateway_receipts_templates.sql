-- SMS gateway configured at run time (docs/campaigns.md "SMS gateway"), entrusted processors
-- (MKT-15 / PRV-15), delivery receipts and replies received once per gateway id (MKT-11), and
-- template approval states with the approved text kept verbatim (MKT-06).

-- The entrusted-processor register of the campaign channels: who processes members' addresses for us
-- under which contract. A gateway can be configured only for a registered processor (PRV-15).
create table campaigns.processor (
    channel         text primary key check (channel in ('EMAIL', 'SMS')),
    vendor          text not null,
    contract_ref    text not null,
    data_categories text not null,
    region          text not null,
    registered_by   text not null,
    registered_at   timestamptz not null default now()
);

-- The generic HTTP SMS gateway (one row). url null = the embedded log-only adapter.
create table campaigns.sms_gateway (
    id              smallint primary key default 1 check (id = 1),
    url             text,
    -- (written '$' || '{…}' so that Flyway does not take the gateway's placeholders for its own)
    body_template   text not null default '{"phone":"$' || '{phone}","text":"$' || '{text}","outId":"$' || '{key}"}',
    success_marker  text not null default 'OK',
    id_field        text not null default 'BizId',
    hard_codes      text not null default 'MOBILE_NOT_ON_SERVICE,MOBILE_NUMBER_ILLEGAL,MOBILE_ACCOUNT_ABNORMAL,EMPTY_NUMBER,UNKNOWN_NUMBER,MK:0001',
    updated_by      text,
    updated_at      timestamptz not null default now()
);
insert into campaigns.sms_gateway (id) values (1);

-- Each receipt and reply the gateway pushes, once per gateway id (a repeated push is acknowledged and
-- changes nothing).
create table campaigns.sms_callback (
    kind        text not null check (kind in ('RECEIPT', 'REPLY')),
    gateway_id  text not null,
    phone       text,
    message_id  bigint references campaigns.message(id),
    outcome     text not null,
    detail      text,
    reported_at text,
    received_at timestamptz not null default now(),
    primary key (kind, gateway_id)
);
create index sms_callback_message on campaigns.sms_callback (message_id);
create index message_provider on campaigns.message (provider_id) where provider_id is not null;

alter table campaigns.tracking_event drop constraint tracking_event_kind_check;
alter table campaigns.tracking_event add constraint tracking_event_kind_check
    check (kind in ('OPEN', 'CLICK', 'UNSUBSCRIBE', 'BOUNCE_HARD', 'BOUNCE_SOFT', 'REPLY_STOP', 'DELIVERED'));

-- MKT-06: a template is DRAFT while its campaign is edited, SUBMITTED with it, APPROVED (by the
-- second person) or REJECTED. Only APPROVED templates are sent, and their text cannot change.
alter table campaigns.template add column status text not null default 'DRAFT'
    check (status in ('DRAFT', 'SUBMITTED', 'APPROVED', 'REJECTED'));
alter table campaigns.template add column approved_by text;
alter table campaigns.template add column approved_at timestamptz;
-- templates of campaigns approved before this migration were approved with them
update campaigns.template t set status = 'APPROVED', approved_by = c.approved_by, approved_at = c.frozen_at
from campaigns.campaign c
where c.id = t.campaign_id and c.status in ('APPROVED', 'SCHEDULED', 'RUNNING', 'FINISHED');

create function campaigns.template_approved_verbatim() returns trigger language plpgsql as $$
begin
    if tg_op = 'DELETE' then
        if old.status = 'APPROVED' then
            raise exception 'an approved template is kept verbatim';
        end if;
        return old;
    end if;
    if old.status = 'APPROVED'
       and ((new.subject, new.body, new.html, new.channel, new.lang)
            is distinct from (old.subject, old.body, old.html, old.channel, old.lang)
            or new.status <> 'APPROVED') then
        raise exception 'an approved template is kept verbatim';
    end if;
    return new;
end $$;
create trigger template_approved_verbatim before update or delete on campaigns.template
    for each row execute function campaigns.template_approved_verbatim();

-- Members have no language in their profile: a campaign-side choice per member (zh or en), set by
-- staff; without one the rule in docs/campaigns.md "Member language" decides.
create table campaigns.member_language (
    member_id  bigint primary key,
    lang       text not null check (lang in ('zh', 'en')),
    set_by     text not null,
    set_at     timestamptz not null default now()
);

-- A message sent again after a soft bounce / failed delivery is a new send: it gets a new idempotency
-- key (cm-<campaign>-<message>-r<resend>); a retry after a timeout keeps the old one (MKT-12).
alter table campaigns.message add column resend int not null default 0;
