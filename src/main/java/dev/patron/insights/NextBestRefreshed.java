package dev.patron.insights;

/**
 * The next best categories or brands of every member ({@code insights.v_member_next_best}) were
 * replaced with those of mining run {@code runId} at {@code level} in the publishing transaction.
 * Listeners (rule segments with "likely to buy" conditions) refresh what depends on them.
 * Published through the outbox: listeners must be idempotent.
 */
public record NextBestRefreshed(RuleLevel level, long runId, long members) {}
