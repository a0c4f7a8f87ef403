/**
 * Campaigns: member campaigns planned, approved by a second person, sent over e-mail and SMS, tracked
 * (opens, clicks, unsubscribes, bounces, SMS replies) and measured against a random control group
 * (response, lift with a confidence interval, cost and ROI). {@link dev.patron.campaigns.Campaigns} is
 * the API; {@link dev.patron.campaigns.CampaignTracking} serves the public tracking links. Member,
 * sales and loyalty data are read through the owners' published {@code v_*} views
 * (docs/adr/0008-reporting-reads-published-views.md); consent and points are changed through
 * {@code MemberManagement} and {@code LoyaltyManagement}. See docs/campaigns.md.
 */
@org.springframework.modulith.ApplicationModule(
        allowedDependencies = {"shared", "audit", "organization", "staff", "members", "sales", "loyalty", "segments"})
package dev.patron.campaigns;
