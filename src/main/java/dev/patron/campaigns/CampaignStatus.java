package dev.patron.campaigns;

import java.util.Set;

/**
 * The lifecycle: DRAFT → SUBMITTED → APPROVED (by a second person) → SCHEDULED → RUNNING → FINISHED;
 * SUBMITTED may be sent back to DRAFT; anything not yet finished may be CANCELLED.
 */
public enum CampaignStatus {
    DRAFT,
    SUBMITTED,
    APPROVED,
    SCHEDULED,
    RUNNING,
    FINISHED,
    CANCELLED;

    /** States a campaign may be cancelled from. */
    static final Set<CampaignStatus> CANCELLABLE = Set.of(DRAFT, SUBMITTED, APPROVED, SCHEDULED, RUNNING);
}
