-- Member facts applied incrementally for new SALE tickets (docs/segments.md, "Kept current").
--   dim_net: the member's lifetime net spend per brand, category and store, as
--     {"b": {"<brand_id>": fen, ...}, "c": {"<category_id>": fen, ...}, "s": {"<store_id>": fen, ...}}
--     (lines' amounts for brands and categories, tickets' totals for stores; entries at or below 0
--     kept), so new sales can be added and the favourites picked again without reading the member's
--     history. Written by every full recompute; null until the member's first one since this change.
--   max_sale_id: the highest ticket id counted in the row. A ticket with a higher id is certainly not
--     counted yet; one at or below it may be (a full recompute counts every committed ticket, also
--     those whose event is still on its way, and an applied event may be delivered again), so such a
--     ticket goes through the full recompute, which is idempotent.
alter table segments.member_fact add column dim_net jsonb, add column max_sale_id bigint;

-- Two net maps added key by key (null counts as empty).
create function segments.net_add(a jsonb, b jsonb) returns jsonb
    language sql immutable parallel safe as $$
    select coalesce(jsonb_object_agg(k, v), '{}'::jsonb)
    from (select k, sum(v) as v
          from (select key as k, value::bigint as v from jsonb_each(coalesce(a, '{}'::jsonb))
                union all
                select key, value::bigint from jsonb_each(coalesce(b, '{}'::jsonb))) x
          group by k) y
$$;

-- The favourite of a net map: the highest net above 0, ties the lowest id; null when none.
create function segments.net_top(m jsonb) returns bigint
    language sql immutable parallel safe as $$
    select key::bigint from jsonb_each(coalesce(m, '{}'::jsonb))
    where value::bigint > 0
    order by value::bigint desc, key::bigint
    limit 1
$$;
