package dev.patron.members;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Data another module adds to the member lookup answer (the POS and call-center "who is this?"),
 * e.g. the member's tier and benefits or points balance, as a Spring bean implementing this
 * interface, so that the member module never depends on those modules. The lookup puts {@link
 * #data} of the found member under {@code extras.<key>}.
 *
 * <p>Contract: called after the lookup's own read, outside any transaction (the lookup runs each
 * statement on its own to save round trips on the tills' hot path), with the caller's security
 * context; must only read, in one statement (one indexed query, so it needs no transaction for a
 * consistent answer) and return a JSON-serialisable value, or null when there is nothing to add.
 * An extension that throws is left out of the answer and logged; it never breaks the lookup.
 *
 * <p>An extension may also offer its read as a {@link Fragment} that the lookup joins into its own
 * statement, so that the till pays one round trip for the member, every extension and the audit
 * row. The lookup then calls {@link #entries} only when that statement fails (the extension's data
 * is then read on its own, as above, and left out if that fails too).
 */
public interface MemberLookupExtension {

    /** Stable name, e.g. {@code "tier"}: the JSON name under {@code extras} unless {@link #entries} says otherwise. */
    String key();

    /** The data for this (active) member under {@code extras.<key>}, or null. */
    default Object data(long memberId) {
        return null;
    }

    /**
     * What this extension adds under {@code extras}: by default {@link #key} with {@link #data}.
     * Override it to answer several keys from one statement (e.g. a member's points and tier).
     */
    default Map<String, ?> entries(long memberId) {
        Object data = data(memberId);
        return data == null ? Map.of() : Map.of(key(), data);
    }

    /**
     * This extension's read as part of the lookup's statement, or empty to be called through {@link
     * #entries}. Asked once per lookup (parameters such as today's date may change).
     */
    default Optional<Fragment> fragment() {
        return Optional.empty();
    }

    /**
     * A select the lookup joins laterally to the member it found ({@code left join lateral (…) on
     * true}): {@code sql} takes the SQL expression of the member's id (null for the other members a
     * shared phone finds) and returns the select, whose {@code ?} parameters are {@code params} in
     * order. It reads only the extension's own tables (and published views) and returns at most one
     * row; its column names must not clash with the lookup's own (the member summary's, {@code
     * lookup_*}, {@code card_*}) or another extension's — the lookup checks this and falls back to
     * {@link #entries} if they do. {@code reader} maps the member's row by column names; every
     * column is null when the select found nothing.
     */
    record Fragment(java.util.function.UnaryOperator<String> sql, List<Object> params, RowReader reader) {
        public Fragment {
            params = List.copyOf(params);
        }
    }

    /** Reads a {@link Fragment}'s columns from the lookup's row into the entries under {@code extras}. */
    @FunctionalInterface
    interface RowReader {
        Map<String, ?> read(long memberId, ResultSet rs) throws SQLException;
    }
}
