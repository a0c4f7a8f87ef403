package dev.patron.members;

/** A tag; managed tags are defined by an admin, free tags come into being when first used. */
public record MemberTag(long id, String name, boolean managed, long members) {}
