package dev.patron.segments;

import java.time.LocalDate;
import java.util.List;

/**
 * The R×F grid as of the last refresh: per cell the members, their share of all scored members and
 * their share of the window's net sales (both as fractions 0..1, 4 decimals), with the cell's name,
 * strategy and contact frequency. Cells are listed R band by R band, F bands within.
 */
public record RfmGrid(LocalDate asOf, long members, long salesFen, List<Cell> cells) {

    public record Cell(RfmCell cell, long members, long salesFen, double memberShare, double salesShare) {}
}
