package dev.patron.campaigns;

/** Campaign kinds of DOMAIN.md §5 (seed 000 §4): the whole mall, one brand, or a member event. */
public enum CampaignKind {
    MALL_WIDE,
    BRAND,
    MEMBER_EVENT
}
