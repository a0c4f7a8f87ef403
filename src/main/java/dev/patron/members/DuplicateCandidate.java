package dev.patron.members;

import java.util.List;

/** Two active members that are likely the same person, and why (PHONE, EMAIL, NAME_BIRTHDAY). */
public record DuplicateCandidate(MemberSummary first, MemberSummary second, List<String> reasons) {}
