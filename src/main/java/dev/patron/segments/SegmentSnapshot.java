package dev.patron.segments;

import java.time.OffsetDateTime;

/** A frozen member list of a segment (what campaigns target): when, by whom, how many. */
public record SegmentSnapshot(long id, long segmentId, int size, OffsetDateTime takenAt, String takenBy) {}
