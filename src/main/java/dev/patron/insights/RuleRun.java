package dev.patron.insights;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;

/**
 * A mining run: thresholds as given and the exact least support count they meant, the baskets read,
 * frequent itemsets and rules found, members scored for next best, duration, who started it.
 * Status RUNNING, DONE or FAILED (with the error).
 */
public record RuleRun(
        long id,
        RuleLevel level,
        String status,
        BigDecimal minSupport,
        BigDecimal minConfidence,
        int maxItems,
        LocalDate from,
        LocalDate to,
        List<Long> storeIds,
        Long baskets,
        Long minSupportCount,
        Long frequentItemsets,
        Long rules,
        Long membersScored,
        Long durationMs,
        String error,
        String startedBy,
        String trigger,
        Instant startedAt,
        Instant finishedAt) {}
