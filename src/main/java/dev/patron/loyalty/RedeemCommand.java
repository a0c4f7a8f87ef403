package dev.patron.loyalty;

import io.swagger.v3.oas.annotations.media.Schema;

/** Points used as payment at the POS or the desk; the idempotency key makes a retry safe. */
@Schema(description = "Spend points; name the member by memberId, cardNumber or phone")
public record RedeemCommand(
        @Schema(
                description =
                        "Unique per redemption (e.g. store + POS transaction id); a retry with the same key returns the first result",
                requiredMode = Schema.RequiredMode.REQUIRED)
        String idempotencyKey,

        @Schema(description = "Member id") Long memberId,
        @Schema(description = "Card number") String cardNumber,
        @Schema(description = "Mobile phone") String phone,

        @Schema(description = "Points to spend, > 0", example = "500", requiredMode = Schema.RequiredMode.REQUIRED)
        Long points,

        @Schema(description = "Store where the points are spent", example = "SH001")
        String storeCode,

        @Schema(description = "POS transaction id or other reference", example = "20261125-03-000123")
        String reference) {}
