package dev.patron.sales;

import io.swagger.v3.oas.annotations.media.Schema;
import java.time.Instant;
import java.time.LocalDate;

/** A store's footfall on one business day: entered by staff or imported. */
@Schema(description = "Daily store traffic (footfall)")
public record TrafficDay(
        @Schema(example = "SH001") String storeCode,
        @Schema(example = "2026-11-24") LocalDate businessDate,
        @Schema(example = "3120") int visitors,
        @Schema(description = "ENTERED, IMPORT or DEMO") String source,
        Instant updatedAt,
        String updatedBy) {}
