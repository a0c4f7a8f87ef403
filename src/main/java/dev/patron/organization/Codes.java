package dev.patron.organization;

import java.util.Locale;

/** Codes of stores, counters, brands, categories and regions: 1-32 of A-Z, 0-9, '-' and '_', stored upper-case. */
public final class Codes {

    /** Bean Validation pattern; input is accepted in any case and upper-cased. */
    public static final String PATTERN = "^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$";

    private Codes() {}

    public static String normalize(String code) {
        return code == null ? null : code.trim().toUpperCase(Locale.ROOT);
    }
}
