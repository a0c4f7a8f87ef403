package dev.patron.members;

/** A member was erased on request (PIPL art. 47): modules anonymise what they hold about {@code memberId}, keeping statistics. */
public record MemberErased(long memberId) {}
