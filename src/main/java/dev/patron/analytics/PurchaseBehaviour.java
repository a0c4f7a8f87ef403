package dev.patron.analytics;

import io.swagger.v3.oas.annotations.media.Schema;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * How members buy in the period, over member tickets at the stores of the filter: purchase days per
 * member (frequency), days between a member's consecutive purchase days (interval), average ticket,
 * brand and category shares of net sales, repeat-purchase rate and return-to-counter rate (回柜率)
 * with its window of {@link #windowDays()} days. Definitions: docs/analytics.md.
 */
@Schema(
        description =
                "Purchase behaviour: frequency, intervals, average ticket, shares, repeat and return-to-counter rates")
public record PurchaseBehaviour(
        LocalDate from,
        LocalDate to,
        String storeCode,
        int windowDays,
        long buyers,
        long repeatBuyers,

        @Schema(description = "repeat buyers ÷ buyers, 4 decimals; null without buyers")
        BigDecimal repeatRate,

        long tickets,
        long netSalesFen,

        @Schema(description = "net sales ÷ tickets in fen, half up; null without tickets")
        Long averageTicketFen,

        long intervals,

        @Schema(description = "mean days between consecutive purchase days, 2 decimals")
        BigDecimal meanIntervalDays,

        @Schema(description = "median days between consecutive purchase days (lower median)")
        Integer medianIntervalDays,

        List<Bin> intervalBins,
        List<Bin> frequencyBins,
        List<Share> brands,
        List<Share> categories,
        long counterBuyers,
        long counterReturners,

        @Schema(description = "Σ returners ÷ Σ buyers over counters, 4 decimals")
        BigDecimal returnToCounterRate,

        List<CounterReturn> counters) {

    /** A histogram bar: key like {@code 1-7} or {@code 10+}, and how many fall in it. */
    public record Bin(String key, long count) {}

    /** A brand's or category's net sales and share (key: code, OTHER for the rest, NONE for lines without one). */
    public record Share(String key, String label, long salesFen, BigDecimal share) {}

    /** One counter's buyers in the period, those who came back within the window, and the rate. */
    public record CounterReturn(
            long counterId, String code, String name, String storeCode, long buyers, long returners, BigDecimal rate) {}

    public List<DataTable> tables() {
        List<List<Object>> summary = new ArrayList<>();
        summary.add(Arrays.asList("buyers", buyers));
        summary.add(Arrays.asList("repeatBuyers", repeatBuyers));
        summary.add(Arrays.asList("repeatRate", repeatRate));
        summary.add(Arrays.asList("tickets", tickets));
        summary.add(Arrays.asList("netSalesFen", netSalesFen));
        summary.add(Arrays.asList("averageTicketFen", averageTicketFen));
        summary.add(Arrays.asList("intervals", intervals));
        summary.add(Arrays.asList("meanIntervalDays", meanIntervalDays));
        summary.add(Arrays.asList("medianIntervalDays", medianIntervalDays));
        summary.add(Arrays.asList("windowDays", windowDays));
        summary.add(Arrays.asList("counterBuyers", counterBuyers));
        summary.add(Arrays.asList("counterReturners", counterReturners));
        summary.add(Arrays.asList("returnToCounterRate", returnToCounterRate));
        List<List<Object>> counterRows = new ArrayList<>();
        counters.forEach(c ->
                counterRows.add(Arrays.asList(c.code(), c.name(), c.storeCode(), c.buyers(), c.returners(), c.rate())));
        return List.of(
                new DataTable("summary", List.of("figure", "value"), summary),
                bins("intervals", "days", intervalBins),
                bins("frequency", "purchaseDays", frequencyBins),
                shares("brands", "brand", brands),
                shares("categories", "category", categories),
                new DataTable(
                        "counters", List.of("counter", "name", "store", "buyers", "returners", "rate"), counterRows));
    }

    private static DataTable bins(String id, String keyColumn, List<Bin> bins) {
        List<List<Object>> rows = new ArrayList<>();
        bins.forEach(b -> rows.add(List.of(b.key(), b.count())));
        return new DataTable(id, List.of(keyColumn, "count"), rows);
    }

    private static DataTable shares(String id, String keyColumn, List<Share> shares) {
        List<List<Object>> rows = new ArrayList<>();
        shares.forEach(s -> rows.add(Arrays.asList(s.key(), s.label(), s.salesFen(), s.share())));
        return new DataTable(id, List.of(keyColumn, "label", "salesFen", "share"), rows);
    }
}
