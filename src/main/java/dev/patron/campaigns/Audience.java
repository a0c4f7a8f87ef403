package dev.patron.campaigns;

import java.util.List;

/**
 * Who a campaign targets. A static list of phones, card numbers or member ids ({@code M123}) is
 * resolved to members with a row report; a segment snapshot is a frozen member list taken in the
 * segments module ({@code POST /api/v1/segments/{id}/snapshots}), copied into the audience.
 */
public sealed interface Audience permits Audience.StaticList, Audience.SegmentSnapshot {

    AudienceKind kind();

    /** One entry per line: a mobile number, a card number, or {@code M<id>} / {@code id:<id>}. */
    record StaticList(List<String> entries) implements Audience {
        @Override
        public AudienceKind kind() {
            return AudienceKind.STATIC_LIST;
        }
    }

    /** A frozen copy of a segment's members, taken in the segments module. */
    record SegmentSnapshot(long snapshotId) implements Audience {
        @Override
        public AudienceKind kind() {
            return AudienceKind.SEGMENT_SNAPSHOT;
        }
    }

    enum AudienceKind {
        STATIC_LIST,
        SEGMENT_SNAPSHOT
    }

    /**
     * How an uploaded list resolved: members found, rows with a problem, and the first problem rows;
     * whether the target is personal (a segment with personal conditions, MKT-16) and how many of
     * the members switched personalisation off (PRV-09: left out when the target is personal).
     */
    record Report(
            int rows,
            int members,
            int problems,
            List<Row> problemRows,
            boolean personalTarget,
            int noPersonalisation) {}

    /** One line of the upload: what was given, how it was read, the member found or the problem. */
    record Row(int lineNo, String raw, String kind, Long memberId, String problem) {}
}
