-- Bench data: :count members numbered from :start (psql -v start=0 -v count=1000000), set-based,
-- filled as the member import fills them (MemberImports.insertMembers): member (join_channel IMPORT,
-- name_pinyin / name_initials as Pinyin.java computes them for these name parts), PHONE / EMAIL /
-- CARD identifiers, an ELECTRONIC card numbered prefix 8860 + serial from members.card_number_seq
-- + members.luhn_digit (the default 16-digit pattern), and its ACTIVE card_event.
-- Names use DemoMembers' surname and given-name pools; phones follow DemoMembers.phone(i) (unique
-- for i < 100M), stored E.164. Secondary indexes are dropped and re-created with their own
-- definitions around the load (far faster than maintaining three trigram GIN indexes row by row).
\set ON_ERROR_STOP on
\timing on
set maintenance_work_mem = '1GB';
set synchronous_commit = off;
set session_replication_role = replica;  -- no FK triggers: see the identifier insert below

create temp table surname(k int, name text, py text, ini text);
insert into surname select row_number() over () - 1, * from (values
 ('王','wang','w'),('李','li','l'),('张','zhang','z'),('刘','liu','l'),('陈','chen','c'),('杨','yang','y'),('黄','huang','h'),
 ('赵','zhao','z'),('吴','wu','w'),('周','zhou','z'),('徐','xu','x'),('孙','sun','s'),('马','ma','m'),('朱','zhu','z'),
 ('胡','hu','h'),('郭','guo','g'),('何','he','h'),('高','gao','g'),('林','lin','l'),('罗','luo','l'),('郑','zheng','z'),
 ('梁','liang','l'),('谢','xie','x'),('宋','song','s'),('唐','tang','t'),('许','xu','x'),('韩','han','h'),('冯','feng','f'),
 ('邓','deng','d'),('曹','cao','c'),('彭','peng','p'),('曾','zeng','z'),('肖','xiao','x'),('田','tian','t'),('董','dong','d'),
 ('袁','yuan','y'),('潘','pan','p'),('于','yu','y'),('蒋','jiang','j'),('蔡','cai','c'),('余','yu','y'),('杜','du','d'),
 ('叶','ye','y'),('程','cheng','c'),('苏','su','s'),('魏','wei','w'),('吕','lv','l'),('丁','ding','d'),('任','ren','r'),
 ('沈','shen','s'),('欧阳','ouyang','oy'),('司马','sima','sm'),('上官','shangguan','sg')) v;
create temp table given(k int, name text, py text, ini text);
insert into given select row_number() over () - 1, * from (values
 ('伟','wei','w'),('芳','fang','f'),('娜','na','n'),('敏','min','m'),('静','jing','j'),('丽','li','l'),('强','qiang','q'),
 ('磊','lei','l'),('洋','yang','y'),('艳','yan','y'),('勇','yong','y'),('军','jun','j'),('杰','jie','j'),('娟','juan','j'),
 ('涛','tao','t'),('超','chao','c'),('明','ming','m'),('霞','xia','x'),('秀英','xiuying','xy'),('婷','ting','t'),
 ('浩然','haoran','hr'),('子涵','zihan','zh'),('欣怡','xinyi','xy'),('梓轩','zixuan','zx'),('雨桐','yutong','yt'),
 ('宇航','yuhang','yh'),('思琪','siqi','sq'),('俊杰','junjie','jj'),('佳怡','jiayi','jy'),('一诺','yinuo','yn'),
 ('晨','chen','c'),('悦','yue','y'),('鑫','xin','x'),('琳','lin','l'),('博文','bowen','bw')) v;
create temp table mobile(k int, p text);
insert into mobile select ord - 1, p from unnest(array['135','136','137','138','139','150','151','152','157','158','159',
 '182','183','187','188','130','131','132','155','156','185','186','133','153','177','180','181','189','199']) with ordinality t(p, ord);

-- drop secondary indexes (kept: primary keys and constraint indexes such as card.number unique)
create temp table saved_index as
select i.indexname, i.indexdef from pg_indexes i
where i.schemaname = 'members' and i.tablename in ('member', 'identifier', 'card', 'card_event')
  and not exists (select 1 from pg_constraint c where c.conname = i.indexname and c.connamespace = 'members'::regnamespace);
select 'drop index members.' || indexname from saved_index \gexec

create temp table gen as
select g.i, nextval('members.member_id_seq') as id,
       s.name || a.name || coalesce(b.name, '') as name,
       s.py || a.py || coalesce(b.py, '') as py,
       s.ini || a.ini || coalesce(b.ini, '') as ini,
       '+86' || m.p || lpad((((g.i / 29) * 48271 + 13579246) % 100000000)::text, 8, '0') as phone,
       case when g.i % 3 = 0 then 'm' || g.i || '@bench.patron.dev' end as email,
       case when hashint8(g.i) % 100 between -57 and 57 then 'FEMALE' else 'MALE' end as gender,
       date '1950-01-01' + (abs(hashint8(g.i + 1)) % (365 * 58))::int as birthday,
       current_date - (abs(hashint8(g.i + 2)) % (365 * 3))::int as joined_on,
       '8860' || lpad(nextval('members.card_number_seq')::text, 11, '0') as card
from generate_series(:start::bigint, :start::bigint + :count - 1) g(i)
join surname s on s.k = abs(hashint8(g.i + 3)) % 53
join given a on a.k = abs(hashint8(g.i + 4)) % 35
left join given b on abs(hashint8(g.i + 5)) % 3 = 0 and b.k = abs(hashint8(g.i + 6)) % 35
join mobile m on m.k = g.i % 29;
update gen set card = card || members.luhn_digit(card);

insert into members.member(id, kind, name, name_pinyin, name_initials, phone, email, gender, birthday, city, joined_on, join_channel)
select id, 'INDIVIDUAL', name, py, ini, phone, email, gender, birthday, '上海', joined_on, 'IMPORT' from gen order by i;
-- Why a second run used to be slower per row (identifier 22 us/row at 1M->5M against 12 us/row at
-- 0->1M; card_event 2x too): the secondary indexes are dropped here, but every row's foreign-key
-- check (RI trigger: probe of member_pkey and a KEY SHARE lock that rewrites the member tuple and
-- writes WAL, a full-page image at the first touch of each page after a checkpoint) stays, and the
-- member table outgrew shared_buffers (128 MB). So: rows in member order (each member page is
-- visited once, in order) and, since this script is run by the superuser on generated rows that
-- are consistent by construction, the RI triggers are skipped (session_replication_role = replica).
insert into members.identifier(member_id, kind, system, value)
select id, kind, '', value from (
    select id, 'PHONE' as kind, phone as value from gen
    union all select id, 'EMAIL', email from gen where email is not null
    union all select id, 'CARD', card from gen) r
order by id;
insert into members.card(number, member_id, kind) select card, id, 'ELECTRONIC' from gen order by i;
insert into members.card_event(card_id, status, actor, reason)
select c.id, 'ACTIVE', 'bench', 'import' from gen join members.card c on c.number = gen.card order by c.id;

select indexdef from saved_index \gexec
vacuum analyze members.member;
vacuum analyze members.identifier;
vacuum analyze members.card;
vacuum analyze members.card_event;
select count(*) as members from members.member;
