package dev.patron.members;

/**
 * An import created {@code created} members at once (one event instead of one {@link
 * MemberEnrolled} per row, so that a million-row import does not flood the outbox).
 */
public record MembersImported(long jobId, long created) {}
