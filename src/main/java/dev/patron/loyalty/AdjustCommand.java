package dev.patron.loyalty;

import io.swagger.v3.oas.annotations.media.Schema;

/** A correction of a member's points by staff, with a reason; idempotent by key. */
@Schema(description = "Add (positive) or remove (negative) points with a reason")
public record AdjustCommand(
        @Schema(description = "Unique per adjustment", requiredMode = Schema.RequiredMode.REQUIRED)
        String idempotencyKey,

        @Schema(description = "Member id", requiredMode = Schema.RequiredMode.REQUIRED)
        Long memberId,

        @Schema(
                description = "Points to add (> 0) or remove (< 0)",
                example = "200",
                requiredMode = Schema.RequiredMode.REQUIRED)
        Long points,

        @Schema(
                description = "Why (shown in the ledger and the audit log)",
                example = "补录：POS 离线期间的消费",
                requiredMode = Schema.RequiredMode.REQUIRED)
        String reason) {}
