/**
 * Segments: who the members are as groups. Member facts ({@code segments.member_fact}: first and
 * last purchase, purchase days, tickets, spend over 12 months and lifetime, interval, favourites,
 * returns) are kept current from {@code SalesRecorded} (new sales added to current rows, other
 * changes recomputed from the member's tickets) and refreshed daily; RFM (the R×F lifecycle
 * grid and quintile scores), the value pyramid and rule segments read them. After facts change the
 * module publishes {@link dev.patron.segments.MemberFactsChanged}. Reads other modules' data only
 * through their published {@code v_*} views (docs/adr/0008-reporting-reads-published-views.md).
 *
 * <p>API: {@link dev.patron.segments.MemberFacts} (a member's facts and RFM row) and
 * {@link dev.patron.segments.Rfm} (R×F grid and cells, quintile scores, settings, migration matrix,
 * value pyramid, export, refresh); docs/segments.md.
 * <p>Rule segments and static lists: {@link dev.patron.segments.Segments} is their API (and
 * {@link dev.patron.segments.StaticLists} for uploads); a {@link dev.patron.segments.SegmentDefinition}
 * compiles to one SQL query, evaluated in full daily and per member on every change. Conditions on
 * the insights models read {@code insights.v_member_value} and {@code v_member_next_best}; the
 * segments using them are refreshed in full when the models publish new outputs
 * ({@code MemberValuesScored}, {@code NextBestRefreshed}).
 */
@org.springframework.modulith.ApplicationModule(
        allowedDependencies = {"shared", "audit", "organization", "staff", "members", "sales", "loyalty", "insights"})
package dev.patron.segments;
