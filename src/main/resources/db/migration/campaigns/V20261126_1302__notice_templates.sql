-- MKT-09: messages are verification, notice or marketing. A template has a type (every template
-- saved before is MARKETING); a NOTICE campaign (service messages: card balance changes, closure
-- notices) uses only NOTICE templates, which may not carry marketing content, and is sent on the
-- member's SERVICE consent; every other campaign kind is marketing and uses MARKETING templates.
alter table campaigns.campaign drop constraint campaign_kind_check;
alter table campaigns.campaign add constraint campaign_kind_check
    check (kind in ('MALL_WIDE', 'BRAND', 'MEMBER_EVENT', 'NOTICE'));
alter table campaigns.template add column type text not null default 'MARKETING'
    check (type in ('VERIFICATION', 'NOTICE', 'MARKETING'));
-- the type is part of what was approved (MKT-06): kept verbatim with the text
create or replace function campaigns.template_approved_verbatim() returns trigger language plpgsql as $$
begin
    if tg_op = 'DELETE' then
        if old.status = 'APPROVED' then
            raise exception 'an approved template is kept verbatim';
        end if;
        return old;
    end if;
    if old.status = 'APPROVED'
       and ((new.subject, new.body, new.html, new.channel, new.lang, new.type)
            is distinct from (old.subject, old.body, old.html, old.channel, old.lang, old.type)
            or new.status <> 'APPROVED') then
        raise exception 'an approved template is kept verbatim';
    end if;
    return new;
end $$;
