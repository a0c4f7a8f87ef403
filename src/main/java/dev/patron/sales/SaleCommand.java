package dev.patron.sales;

import io.swagger.v3.oas.annotations.media.Schema;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.List;

/**
 * A sale ticket as the POS sends it. Money is integer fen (1/100 yuan, CNY). The member is named by
 * at most one of {@code memberId}, {@code cardNumber}, {@code phone} or {@code system} +
 * {@code externalId}; none means an anonymous sale.
 */
@Schema(description = "A POS sale ticket. Money is integer fen (1 yuan = 100 fen), currency CNY.")
public record SaleCommand(
        @Schema(description = "Store code", example = "SH001", requiredMode = Schema.RequiredMode.REQUIRED)
        String storeCode,

        @Schema(description = "POS terminal id within the store", example = "POS-03")
        String posTerminal,

        @Schema(
                description = "POS transaction id, unique per store: the idempotency key",
                example = "20261125-03-000123",
                requiredMode = Schema.RequiredMode.REQUIRED)
        String posTransactionId,

        @Schema(description = "Business (trading) date; not in the future", example = "2026-11-25")
        LocalDate businessDate,

        @Schema(
                description = "When the ticket was closed, with offset; defaults to now",
                example = "2026-11-25T14:03:11+08:00")
        OffsetDateTime occurredAt,

        @Schema(description = "Cashier id or name", example = "C017")
        String cashier,

        @Schema(description = "Member id") Long memberId,

        @Schema(description = "Member card number", example = "8860000000000018")
        String cardNumber,

        @Schema(description = "Member mobile phone, any common form", example = "13812341234")
        String phone,

        @Schema(description = "External identifier system (with externalId)", example = "wechat")
        String system,

        @Schema(description = "External identifier value (with system)", example = "oAbc123")
        String externalId,

        @Schema(description = "Currency; only CNY", example = "CNY")
        String currency,

        @Schema(description = "Line items, 1 to 500", requiredMode = Schema.RequiredMode.REQUIRED)
        List<Line> lines,

        @Schema(
                description = "Payments; their sum equals the sum of line amounts",
                requiredMode = Schema.RequiredMode.REQUIRED)
        List<Payment> payments,

        @Schema(description = "Optional ticket total in fen; checked against lines and payments", example = "45800")
        Long totalFen) {

    /** One line item. {@code amountFen} = round(quantity × unitPriceFen) − discountFen (half up). */
    @Schema(description = "A line item: amountFen = round(quantity × unitPriceFen, half up) − discountFen")
    public record Line(
            @Schema(
                    description = "SKU / article code",
                    example = "6901234567892",
                    requiredMode = Schema.RequiredMode.REQUIRED)
            String sku,

            @Schema(description = "Article name", example = "羊绒围巾")
            String name,

            @Schema(description = "Brand code", example = "BR001")
            String brandCode,

            @Schema(description = "Category code", example = "ACC")
            String categoryCode,

            @Schema(description = "Counter code; the counter must be in the ticket's store", example = "SH001-C01")
            String counterCode,

            @Schema(description = "Quantity, > 0, up to 3 decimals (weighed goods)", example = "1")
            BigDecimal quantity,

            @Schema(description = "Unit price in fen, ≥ 0", example = "49800")
            Long unitPriceFen,

            @Schema(description = "Discount on the line in fen, ≥ 0 (default 0)", example = "4000")
            Long discountFen,

            @Schema(description = "Line amount in fen", example = "45800")
            Long amountFen) {}

    /** One payment. */
    @Schema(description = "A payment of the ticket")
    public record Payment(
            @Schema(description = "Payment method", example = "MOBILE_PAY")
            PaymentMethod method,

            @Schema(description = "Amount in fen, > 0", example = "45800")
            Long amountFen,

            @Schema(description = "Reference (e.g. payment provider transaction id)", example = "wx4200001")
            String reference) {}
}
