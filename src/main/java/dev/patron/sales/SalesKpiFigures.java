package dev.patron.sales;

import io.swagger.v3.oas.annotations.media.Schema;
import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * The KPIs of one row (a store, counter, brand or time bucket) or of the whole period. Money is
 * integer fen; ratios are decimals (0.1234 = 12.34 %) and null when their denominator is zero or
 * unknown.
 */
@Schema(description = "KPIs of a store, counter, brand or period; money in fen, ratios as decimals (0.25 = 25 %)")
public record SalesKpiFigures(
        @Schema(description = "Net sales: sales minus returns, by the business date of each ticket")
        long netSalesFen,

        @Schema(description = "Gross sales: sale tickets only (after line discounts)")
        long grossSalesFen,

        @Schema(description = "Refunded by returns, positive")
        long returnsFen,

        @Schema(description = "Line discounts given on sales")
        long discountFen,

        @Schema(description = "Items sold minus items returned")
        BigDecimal items,

        @Schema(description = "Sale tickets (returns not counted); a ticket counts once per store, counter, brand")
        long tickets,

        @Schema(description = "Net sales of tickets with a member")
        long memberSalesFen,

        @Schema(description = "Member net sales on the member's first purchase day ever")
        long newMemberSalesFen,

        @Schema(description = "Member net sales on later purchase days")
        long returningMemberSalesFen,

        @Schema(description = "Visitors counted (store traffic); null for counters and brands")
        Long visitors,

        @Schema(description = "Net sales / tickets, fen (客单价)")
        Long averageTicketFen,

        @Schema(description = "Net items / tickets (连带率)") BigDecimal itemsPerTicket,

        @Schema(description = "Member net sales / net sales")
        BigDecimal memberShare,

        @Schema(description = "Returns / gross sales") BigDecimal returnRate,

        @Schema(description = "Tickets / visitors, over the store-days that have traffic; null without traffic")
        BigDecimal conversion) {

    /** Computes the ratios; {@code ticketsWithTraffic} are the tickets of the store-days with traffic. */
    public static SalesKpiFigures of(
            long net,
            long gross,
            long returns,
            long discount,
            BigDecimal items,
            long tickets,
            long member,
            long newMember,
            Long visitors,
            long ticketsWithTraffic) {
        BigDecimal qty = items == null ? BigDecimal.ZERO : items.stripTrailingZeros();
        if (qty.scale() < 0) {
            qty = qty.setScale(0);
        }
        return new SalesKpiFigures(
                net,
                gross,
                returns,
                discount,
                qty,
                tickets,
                member,
                newMember,
                member - newMember,
                visitors,
                tickets == 0
                        ? null
                        : BigDecimal.valueOf(net)
                                .divide(BigDecimal.valueOf(tickets), 0, RoundingMode.HALF_UP)
                                .longValueExact(),
                tickets == 0 ? null : qty.divide(BigDecimal.valueOf(tickets), 2, RoundingMode.HALF_UP),
                ratio(member, net),
                ratio(returns, gross),
                visitors == null ? null : ratio(ticketsWithTraffic, visitors));
    }

    static BigDecimal ratio(long a, long b) {
        return b == 0 ? null : BigDecimal.valueOf(a).divide(BigDecimal.valueOf(b), 4, RoundingMode.HALF_UP);
    }
}
