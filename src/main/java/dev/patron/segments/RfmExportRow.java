package dev.patron.segments;

/**
 * One line of the RFM export ({@code GET /api/v1/rfm/export}): the member, their external
 * identifiers ({@code system:value}, ';'-separated), recency in days, frequency (purchase days in the
 * window), monetary (net fen in the window), the quintile scores and the R×F cell.
 */
public record RfmExportRow(
        long memberId,
        String externalIds,
        int recencyDays,
        int frequency,
        long monetaryFen,
        int rScore,
        int fScore,
        int mScore,
        String rBand,
        String fBand) {}
