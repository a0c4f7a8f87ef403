package dev.patron.members;

/** An admin undid merge {@code mergeId}: what moved to {@code survivorId} because of it goes back to {@code mergedId}. */
public record MembersUnmerged(long mergeId, long survivorId, long mergedId) {}
