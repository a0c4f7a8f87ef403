package dev.patron.segments;

import java.time.LocalDate;
import java.util.List;

/**
 * Movement of members between cells since the previous month: {@code fromMonth}'s end-of-month
 * snapshot against the current cells. A member without a snapshot (first purchase since) comes from
 * {@code fromCell} null; a member scored then but not now goes to {@code toCell} null. Cells are
 * {@code R_BAND/F_BAND}. Null {@code fromMonth}: no snapshot yet.
 */
public record RfmMigration(LocalDate fromMonth, LocalDate asOf, List<Move> moves) {

    public record Move(String fromCell, String toCell, long members) {}
}
