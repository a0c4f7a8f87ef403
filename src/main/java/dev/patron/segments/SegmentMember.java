package dev.patron.segments;

import java.time.LocalDate;

/** A member of a segment (or preview sample) with the phone masked ({@code 138****1234}). */
public record SegmentMember(long memberId, String name, String maskedPhone, LocalDate since) {}
