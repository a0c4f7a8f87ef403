/**
 * Insights: models fitted to the members' purchase histories. The member value model (BG/NBD for
 * the purchase process, Gamma-Gamma for spend: P(alive), expected purchases, expected spend, CLV)
 * with the churn warning list, and cross-sell association rules over baskets (next best
 * categories/brands, up-sell). The math and its sources are in docs/MODELS.md. Reads other modules'
 * data only through their published {@code v_*} views
 * (docs/adr/0008-reporting-reads-published-views.md).
 * Cross-sell API: {@link dev.patron.insights.AssociationRules}.
 * (docs/adr/0008-reporting-reads-published-views.md). Value model API: {@link
 * dev.patron.insights.ValueModel} (fit, model in use, member value) and {@link
 * dev.patron.insights.ChurnWarnings}; per-member results are published as {@code
 * insights.v_member_value} and the next best items as {@code insights.v_member_next_best} (segment
 * conditions read them); after a scoring the module publishes {@link
 * dev.patron.insights.MemberValuesScored}, after a mining run {@link
 * dev.patron.insights.NextBestRefreshed}.
 */
@org.springframework.modulith.ApplicationModule(
        allowedDependencies = {"shared", "audit", "organization", "staff", "members", "sales", "loyalty"})
package dev.patron.insights;
