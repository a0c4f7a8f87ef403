package dev.patron.segments;

import java.time.LocalDate;

/** A segment's size at the end of a day (the last refresh or change of the day). */
public record SegmentSizeDay(LocalDate day, int size) {}
