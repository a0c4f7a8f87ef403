package dev.patron.members;

/** Monthly income band in yuan, as members state it at sign-up (optional). */
public enum IncomeBand {
    BELOW_5K,
    FROM_5K_TO_10K,
    FROM_10K_TO_20K,
    FROM_20K_TO_50K,
    ABOVE_50K
}
