/**
 * Campaigns: member campaigns planned, approved by a second person, sent over e-mail and SMS, tracked
 * (opens, clicks, unsubscribes, bounces, SMS replies) and measured against a random control group
 * (response, lift with a confidence interval, also by R×F lifecycle cell at send time, cost and ROI).
 * {@link dev.patron.campaigns.Campaigns} is the API; {@link dev.patron.campaigns.CampaignTracking}
 * serves the public tracking links and SMS replies, {@link dev.patron.campaigns.SmsReceipts} the SMS
 * delivery receipts, {@link dev.patron.campaigns.SmsGateway} configures the SMS gateway and the
 * entrusted-processor register, {@link dev.patron.campaigns.MemberLanguages} the members' message
 * language, {@link dev.patron.campaigns.Webhooks} the signed webhooks of {@link
 * dev.patron.campaigns.CampaignEvent}s (also published to other modules), and {@link
 * dev.patron.campaigns.Triggers} the triggered care campaigns. Member, sales, loyalty and segments
 * data are read through the owners' published {@code v_*} views
 * (docs/adr/0008-reporting-reads-published-views.md); consent and points are changed through
 * {@code MemberManagement} and {@code LoyaltyManagement}. See docs/campaigns.md.
 */
@org.springframework.modulith.ApplicationModule(
        allowedDependencies = {"shared", "audit", "organization", "staff", "members", "sales", "loyalty", "segments"})
package dev.patron.campaigns;
