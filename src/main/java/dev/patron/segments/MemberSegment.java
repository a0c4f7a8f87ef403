package dev.patron.segments;

import java.time.LocalDate;

/** A segment the member is in now, since the given day. */
public record MemberSegment(long segmentId, String name, String kind, LocalDate since) {}
