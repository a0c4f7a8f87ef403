package dev.patron.campaigns;

/**
 * Campaign kinds of DOMAIN.md §5 (seed 000 §4): the whole mall, one brand, or a member event — all
 * marketing — and NOTICE, service messages to members (MKT-09: notice templates only, no marketing
 * content, sent on SERVICE consent, outside the marketing caps and quiet hours).
 */
public enum CampaignKind {
    MALL_WIDE,
    BRAND,
    MEMBER_EVENT,
    NOTICE;

    /** True for the marketing kinds (everything but NOTICE). */
    public boolean marketing() {
        return this != NOTICE;
    }
}
