-- The highest ticket id counted in a member's RFM row, as member_fact.max_sale_id is for the facts
-- row (docs/segments.md, "Kept current"). The two rows are written by separate statements (the full
-- recompute of a member: facts, then RFM; the daily roll: the facts of the members whose window
-- moved, then every member's RFM), each with its own snapshot, so a ticket committed in between is
-- counted by one row and not the other. New tickets are added to both rows only while the two
-- counted the same tickets (equal max_sale_id); otherwise both are recomputed. Null until the
-- member's next RFM write: such a member is recomputed once.
alter table segments.member_rfm add column max_sale_id bigint;
