package dev.patron.members;

import java.util.Map;

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
}
