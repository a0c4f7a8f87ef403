package dev.patron.segments;

import java.util.List;

/** What a definition would select now: the count and the first 20 members (by id), with warnings. */
public record SegmentPreview(long count, List<SegmentMember> sample, List<String> warnings) {}
