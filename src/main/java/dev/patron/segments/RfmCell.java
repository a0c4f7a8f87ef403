package dev.patron.segments;

import java.util.List;
import java.util.Locale;

/**
 * One of the 16 cells of the R×F lifecycle grid (seed 001): its name, recommended retention
 * strategy and contact frequency (every {@code contactEveryDays} days; null: do not contact).
 */
public record RfmCell(
        String rBand,
        String fBand,
        String nameZh,
        String nameEn,
        String strategyZh,
        String strategyEn,
        Integer contactEveryDays) {

    /** R bands from the most recent: ACTIVE ≤ 90 days, SILENT ≤ 180, SLEEPING ≤ 365, LOST (defaults). */
    public static final List<String> R_BANDS = List.of("ACTIVE", "SILENT", "SLEEPING", "LOST");

    /** F bands by purchase days in the window: NEW (0 or 1), SECOND (2), OLD (3-5), FAN (6+) (defaults). */
    public static final List<String> F_BANDS = List.of("NEW", "SECOND", "OLD", "FAN");

    public String name(Locale locale) {
        return chinese(locale) ? nameZh : nameEn;
    }

    public String strategy(Locale locale) {
        return chinese(locale) ? strategyZh : strategyEn;
    }

    static boolean chinese(Locale locale) {
        return locale != null && "zh".equals(locale.getLanguage());
    }

    /** 0 (ACTIVE/NEW) … 15 (LOST/FAN): the cell's index in snapshots. */
    static int index(String rBand, String fBand) {
        return 4 * R_BANDS.indexOf(rBand) + F_BANDS.indexOf(fBand);
    }
}
