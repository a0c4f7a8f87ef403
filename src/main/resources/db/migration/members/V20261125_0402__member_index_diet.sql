-- Fewer indexes to maintain on every enrolment and import (issue 3: 1M-member import under 3 min).
-- identifier_lookup (kind, value) duplicates the leading columns of identifier_unique_per_member
-- (kind, system, value, member_id): every query of the module names the system too.
drop index if exists members.identifier_lookup;
-- Trigram index on the Chinese name: with the cluster's locale C, pg_trgm takes CJK characters for
-- non-word characters, so this index holds next to nothing and no query uses it (Chinese input is
-- matched by prefix through member_name_prefix; docs/members.md). Re-create it together with a
-- C.UTF-8 cluster if "contains" search on Chinese names is ever wanted.
drop index if exists members.member_name_trgm;
