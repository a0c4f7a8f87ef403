package dev.patron.members;

/** One way to find a member; {@code system} is set for external ids only. Phones and e-mails may be masked. */
public record Identifier(IdentifierKind kind, String system, String value) {}
