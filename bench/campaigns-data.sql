-- Bench data for bench/campaigns.sh: grants e-mail marketing consent to the bench members (those
-- with an e-mail, i.e. one in three of bench/members-data.sql), and creates a SCHEDULED e-mail
-- campaign whose audience is every bench member, due now. Approval (two people) and the audience
-- upload are skipped on purpose: the benchmark measures the audience resolution at send time
-- (consent, address, duplicates, caps) and the sending, not the editor.
\set ON_ERROR_STOP on
set synchronous_commit = off;
insert into members.consent_event (member_id, channel, purpose, granted, source, wording_version, operator)
select id, 'EMAIL', 'MARKETING', true, 'IMPORT', 'bench', 'bench'
from members.member where email like '%@bench.patron.dev';
with c as (
  insert into campaigns.campaign (name, kind, goal, owner, period_start, period_end, channels, control_pct, control_seed,
    attribution_days, status, submitted_by, approved_by, frozen_at, send_at)
  values ('bench ' || now(), 'MALL_WIDE', 'bench', 'bench', current_date, current_date + 14, array['EMAIL'], 10, 42, 14,
    'SCHEDULED', 'bench-a', 'bench-b', now(), now() + interval '5 seconds')
  returning id)
, t as (
  insert into campaigns.template (campaign_id, channel, lang, subject, body, html, status, approved_by, approved_at)
  select id, 'EMAIL', 'zh', '{name}，会员日礼遇', '亲爱的{name}：您有{points}积分。{link:https://shop.example.com/gifts}',
         '<p>亲爱的{name}</p><p><a href="{link:https://shop.example.com/gifts}">礼品目录</a></p>', 'APPROVED', 'bench-b', now()
  from c)
, l as (insert into campaigns.link (campaign_id, link_no, url) select id, 1, 'https://shop.example.com/gifts' from c)
insert into campaigns.audience_member (campaign_id, member_id, control, eligible)
select c.id, m.id, md5('42:' || m.id) < '1999', m.email is not null
from c, members.member m where m.join_channel = 'IMPORT';
select id as campaign_id from campaigns.campaign order by id desc limit 1 \gset
\echo campaign :campaign_id
