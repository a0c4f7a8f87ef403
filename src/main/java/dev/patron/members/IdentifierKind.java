package dev.patron.members;

/** How a member can be found: phone, e-mail, card number, or an external system's id. */
public enum IdentifierKind {
    PHONE,
    EMAIL,
    CARD,
    EXTERNAL
}
