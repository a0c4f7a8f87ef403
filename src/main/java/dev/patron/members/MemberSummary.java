package dev.patron.members;

import java.time.LocalDate;
import java.util.List;

/**
 * What lists, search results and the call-center lookup show of a member. {@code phone} and
 * {@code email} are masked ({@code masked} true) for roles that may not see them.
 */
public record MemberSummary(
        long id,
        MemberKind kind,
        MemberStatus status,
        String name,
        String phone,
        String email,
        boolean masked,
        Gender gender,
        LocalDate birthday,
        String city,
        String preferredStoreCode,
        LocalDate joinedOn,
        List<String> activeCards,
        List<String> tags) {}
