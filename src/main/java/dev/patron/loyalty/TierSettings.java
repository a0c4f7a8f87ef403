package dev.patron.loyalty;

import java.util.List;

/**
 * The tier program: {@code basis} SPEND (rolling 12-month spend net of returns, fen) or POINTS
 * (points earned in the rolling 12 months net of reversals — not the balance), and the levels by
 * rank.
 */
public record TierSettings(String basis, List<TierLevel> levels) {}
