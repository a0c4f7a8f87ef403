package dev.patron.segments;

import io.swagger.v3.oas.annotations.media.Schema;
import java.time.OffsetDateTime;
import java.util.List;

/**
 * A segment: RULE (a {@link SegmentDefinition} evaluated in batch and per member) or STATIC (an
 * uploaded list, no definition). {@code warnings} are in the caller's language, e.g. a condition
 * whose brand was deactivated or no longer exists.
 */
@Schema(description = "A rule segment or static list with its current size")
public record Segment(
        long id,
        String name,
        String description,
        String kind,
        SegmentDefinition definition,
        int memberCount,
        OffsetDateTime lastRefreshedAt,
        List<String> warnings,
        String createdBy,
        OffsetDateTime createdAt,
        String updatedBy,
        OffsetDateTime updatedAt) {}
