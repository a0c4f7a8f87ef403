package dev.patron.segments;

import io.swagger.v3.oas.annotations.media.Schema;

/** Create or change a rule segment. */
@Schema(description = "A rule segment to create or change")
public record SegmentCommand(
        @Schema(description = "Unique among live segments, 1-100 characters")
        String name,

        @Schema(description = "Optional, up to 500 characters")
        String description,

        SegmentDefinition definition) {}
