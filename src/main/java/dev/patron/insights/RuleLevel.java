package dev.patron.insights;

import dev.patron.shared.web.PatronException;
import java.util.Locale;

/** What the items of a basket are: the categories or the brands of its lines. */
public enum RuleLevel {
    CATEGORY("category_id"),
    BRAND("brand_id");

    private final String column;

    RuleLevel(String column) {
        this.column = column;
    }

    /** The column of {@code sales.v_sale_line} that holds the item id. */
    String column() {
        return column;
    }

    /** {@code category} or {@code brand} (any case); null gives {@code fallback}; anything else 400 naming {@code field}. */
    public static RuleLevel parse(String value, String field, RuleLevel fallback) {
        if (value == null || value.isBlank()) {
            return fallback;
        }
        try {
            return valueOf(value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw PatronException.invalid(field, "xsell.validation.level");
        }
    }
}
