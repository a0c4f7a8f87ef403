package dev.patron.members;

/**
 * Data another module adds to the member lookup answer (the POS and call-center "who is this?"),
 * e.g. the member's tier and benefits or points balance, as a Spring bean implementing this
 * interface, so that the member module never depends on those modules. The lookup puts {@link
 * #data} of the found member under {@code extras.<key>}.
 *
 * <p>Contract: called inside the lookup's transaction with the caller's security context; must be
 * cheap (one indexed query: the lookup is the hot path of the tills) and return a
 * JSON-serialisable value, or null when there is nothing to add. An extension that throws is left
 * out of the answer and logged; it never breaks the lookup.
 */
public interface MemberLookupExtension {

    /** Stable key, e.g. {@code "tier"}; also the JSON name under {@code extras}. */
    String key();

    /** The data for this (active) member, or null. */
    Object data(long memberId);
}
