package dev.patron.insights;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.List;

/**
 * A mining request (POST /api/v1/insights/association-rules/mine). Everything is optional:
 * level CATEGORY, minSupport 0.01, minConfidence 0.5, maxItems 10 (items of an itemset, 2-10),
 * the last 12 months up to today, every store.
 */
public record MineCommand(
        String level,
        BigDecimal minSupport,
        BigDecimal minConfidence,
        Integer maxItems,
        LocalDate from,
        LocalDate to,
        List<String> storeCodes) {}
