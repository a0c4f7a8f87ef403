package dev.patron.sales;

import io.swagger.v3.oas.annotations.media.Schema;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.List;

/**
 * A return as the POS sends it: which earlier sale (by its store code and POS transaction id, or
 * by {@code originalSaleId}), which of its lines and how much of each; no lines means "everything
 * not yet returned". Quantities and amounts are positive here and stored negative. The refund of a
 * line defaults to its share of the line amount (quantity returned / quantity bought, rounded half
 * up; the last return of a line gets exactly what is left). The member is the original sale's.
 */
@Schema(description = "A return of (part of) an earlier sale; quantities and amounts positive, in fen")
public record ReturnCommand(
        @Schema(
                description = "Store code where the return is made",
                example = "SH001",
                requiredMode = Schema.RequiredMode.REQUIRED)
        String storeCode,

        @Schema(description = "POS terminal id", example = "POS-01")
        String posTerminal,

        @Schema(
                description = "POS transaction id of the return, unique per store: the idempotency key",
                example = "20261126-01-000007",
                requiredMode = Schema.RequiredMode.REQUIRED)
        String posTransactionId,

        @Schema(description = "Business date of the return", example = "2026-11-26")
        LocalDate businessDate,

        @Schema(description = "When the return was made", example = "2026-11-26T10:15:00+08:00")
        OffsetDateTime occurredAt,

        @Schema(description = "Cashier", example = "C003") String cashier,

        @Schema(description = "Original sale id (or give originalStoreCode + originalPosTransactionId)")
        Long originalSaleId,

        @Schema(description = "Store code of the original sale", example = "SH001")
        String originalStoreCode,

        @Schema(description = "POS transaction id of the original sale", example = "20261125-03-000123")
        String originalPosTransactionId,

        @Schema(description = "Lines returned; empty = return everything not yet returned")
        List<Line> lines,

        @Schema(description = "Refund payments; default: one refund by the first payment method of the sale")
        List<SaleCommand.Payment> payments) {

    /** A returned line: the original line number, quantity, and optionally the refund amount. */
    @Schema(description = "A returned line")
    public record Line(
            @Schema(description = "Line number in the original sale (1-based)", example = "1")
            Integer lineNo,

            @Schema(description = "Quantity returned, > 0; default: all not yet returned", example = "1")
            BigDecimal quantity,

            @Schema(description = "Refund for the line in fen; default: proportional share", example = "45800")
            Long amountFen) {}
}
