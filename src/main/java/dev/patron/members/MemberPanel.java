package dev.patron.members;

import java.util.Optional;

/**
 * A panel of the member 360 view, contributed by another module (tier, points, purchases,
 * segments, cases, campaigns …) as a Spring bean implementing this interface, so that the member
 * module never depends on those modules. The API puts {@link #data} under {@code panels[].data}
 * of {@code GET /api/v1/members/{id}}; the console renders {@link #template} with the data as
 * {@code panel}.
 *
 * <p>Contract: {@code data} is called inside a read-only transaction with the caller's security
 * context (so the panel applies its own role and store rules and returns empty when the caller may
 * not see it); it must be fast (one or two indexed queries) and return a JSON-serialisable value.
 * A panel that throws is shown as unavailable and logged; it never breaks the 360 view.
 */
public interface MemberPanel {

    /** Stable key, e.g. {@code "points"}; also the JSON name. */
    String key();

    /** Message key of the panel's title, e.g. {@code "points.panel.title"}. */
    String titleKey();

    /** Position on the page: lower first (profile panels of members use 0-99). */
    default int order() {
        return 500;
    }

    /** Thymeleaf fragment that renders the data, e.g. {@code "points/panel :: panel"}; null shows the data as a list. */
    default String template() {
        return null;
    }

    /**
     * True when the panel shows a profile of the member computed from their behaviour (model
     * scores, recommendations): such a panel is not asked and shows "switched off by the member"
     * when the member switched personalisation off (PRV-09).
     */
    default boolean profiling() {
        return false;
    }

    /** The panel's data for this member, or empty when there is nothing to show to this caller. */
    Optional<Object> data(long memberId);
}
