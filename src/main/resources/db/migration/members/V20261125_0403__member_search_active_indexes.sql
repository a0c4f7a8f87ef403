-- Member search at millions of members (issue 3): the name, pinyin and initials prefix indexes
-- become partial (ACTIVE members, what every search but an admin's status filter looks at) and
-- carry the id, so a search collects the ids of its matches from the index alone (index-only scan,
-- no heap page per match) and takes the first page of them by id. The plain prefix indexes they
-- replace forced a heap visit per match, or let the planner walk the primary key and filter, which
-- is slow whenever the matches are not spread evenly over the ids.
create index if not exists member_name_active on members.member (name text_pattern_ops, id) where status = 'ACTIVE';
create index if not exists member_pinyin_active on members.member (name_pinyin text_pattern_ops, id) where status = 'ACTIVE';
-- the initials index also carries the pinyin, so "initials match, pinyin does not" is answered from it alone
create index if not exists member_initials_active on members.member (name_initials text_pattern_ops, id) include (name_pinyin)
    where status = 'ACTIVE';
drop index if exists members.member_name_prefix;
drop index if exists members.member_pinyin_prefix;
drop index if exists members.member_initials_prefix;
