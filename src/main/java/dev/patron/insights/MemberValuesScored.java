package dev.patron.insights;

import java.time.LocalDate;

/**
 * Every member's value ({@code insights.v_member_value}: P(alive), expected purchases, 12-month
 * value, CLV) was rewritten in the publishing transaction, by a fit or a rescoring with model
 * {@code fitId} as of {@code asOf}. Listeners (rule segments using these values) refresh what
 * depends on them. Published through the outbox: listeners must be idempotent.
 */
public record MemberValuesScored(long fitId, LocalDate asOf, int members) {}
