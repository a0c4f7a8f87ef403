package dev.patron.campaigns;

import java.time.LocalDate;

/** A campaign in a list. */
public record CampaignSummary(
        long id,
        String name,
        CampaignKind kind,
        CampaignStatus status,
        String owner,
        LocalDate periodStart,
        LocalDate periodEnd,
        String channels,
        long audienceSize,
        long sent) {}
