package dev.patron.loyalty;

import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.List;

/**
 * A member's tier: the current level and its benefits, the qualifying figure (rolling 12 months
 * up to today, fen or points per {@code basis}), the next level and what is still needed to reach it
 * by {@code neededBy} (the day before the oldest counted sale leaves the window), the review date
 * (anniversary of the last upgrade), an active override and the history (newest first).
 */
public record MemberTier(
        long memberId,
        TierLevel tier,
        LocalDate since,
        String basis,
        long figure,
        TierLevel next,
        Long stillNeeded,
        LocalDate neededBy,
        LocalDate reviewOn,
        Override override,
        List<History> history) {

    public record Override(String tierCode, String baseTierCode, LocalDate until, String reason, String by) {}

    public record History(
            long id,
            String fromCode,
            String toCode,
            String cause,
            LocalDate on,
            Long figure,
            String reason,
            String by,
            OffsetDateTime at) {}
}
