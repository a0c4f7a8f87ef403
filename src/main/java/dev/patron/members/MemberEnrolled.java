package dev.patron.members;

import java.time.LocalDate;

/** A member joined (any channel). Carries no contact data: listeners read what they need through the API. */
public record MemberEnrolled(
        long memberId, MemberKind kind, JoinChannel channel, Long joinStoreId, LocalDate joinedOn) {}
