package dev.patron.members;

/**
 * {@code mergedId} was merged into {@code survivorId}: modules that keep per-member history or
 * balances (sales, points, stored value) move them to the survivor, keyed by {@code mergeId} so
 * that an undo ({@link MembersUnmerged}) can move them back.
 */
public record MembersMerged(long mergeId, long survivorId, long mergedId) {}
