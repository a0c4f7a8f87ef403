package dev.patron.insights;

import java.time.LocalDate;
import java.util.List;

/**
 * What to offer a member (GET /api/v1/members/{id}/next-best): next best categories or brands from
 * the latest mining run of the level, computed from the member's purchases since {@code since},
 * and up-sell offers; {@code runId} null when nothing has been mined yet.
 */
public record Recommendations(
        long memberId,
        RuleLevel level,
        Long runId,
        LocalDate since,
        List<NextBestItem> nextBest,
        List<UpSellOffer> upSell) {}
