-- Model outputs as segment conditions and the churn list's "valuable before the drop".
--   insights.member_value.clv_month_ago_fen: the member's CLV by the same model applied to the
--     purchases up to a month before as_of (null when the member first bought since), so that the
--     churn warning list can rank members by their value BEFORE P(alive) dropped.
--   insights.v_member_next_best: published read view of the next best categories / brands per
--     member (segments' "likely to buy" conditions read it; ADR 0008).
alter table insights.member_value add column clv_month_ago_fen bigint;

create view insights.v_member_next_best as
    select level, member_id, item_id, rank, confidence, lift
    from insights.member_next_best;
