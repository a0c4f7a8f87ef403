package dev.patron.shared.security;

/** Staff roles. Each page and endpoint names the roles it admits; see docs/SECURITY.md for the matrix. */
public enum Role {
    ADMIN,
    MARKETER,
    ANALYST,
    STORE_MANAGER,
    COUNTER_STAFF,
    AGENT,
    FINANCE;

    /** The Spring Security authority, e.g. {@code ROLE_ADMIN}. */
    public String authority() {
        return "ROLE_" + name();
    }
}
