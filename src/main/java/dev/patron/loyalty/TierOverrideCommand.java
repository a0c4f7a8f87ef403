package dev.patron.loyalty;

import java.time.LocalDate;

/** Puts a member on a level until a date (inclusive), whatever the rules say; a reason is required. */
public record TierOverrideCommand(String tierCode, String reason, LocalDate until) {}
