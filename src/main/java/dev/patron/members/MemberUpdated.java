package dev.patron.members;

import java.util.Set;

/** A member's profile changed; {@code fields} names the changed profile fields (e.g. birthday, tags). */
public record MemberUpdated(long memberId, Set<String> fields) {}
