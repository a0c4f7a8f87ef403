package dev.patron.segments;

import java.time.LocalDate;

/**
 * The outcome of a refresh of facts and RFM as of a day: how it went ({@code FULL}: every member's
 * facts rebuilt from all tickets; {@code ROLL}: only the members whose 12-month windows changed
 * since the previous refresh), the fact rows written, the RFM rows written (FULL: every member's;
 * ROLL: those whose figures moved plus those whose band or score changed) and the time taken.
 */
public record FactsRefresh(
        LocalDate asOf, String mode, LocalDate from, long facts, long rfm, boolean snapshotTaken, long millis) {

    public static final String FULL = "FULL";
    public static final String ROLL = "ROLL";
}
