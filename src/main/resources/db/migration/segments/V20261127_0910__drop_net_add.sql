-- segments.net_add re-aggregated a whole net map per call (about 0.1 ms); MemberFacts.applySales now
-- adds a batch's nets to the touched keys with jsonb's || instead, so the function is unused.
drop function segments.net_add(jsonb, jsonb);
