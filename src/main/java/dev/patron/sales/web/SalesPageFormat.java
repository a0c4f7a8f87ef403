package dev.patron.sales.web;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.text.DecimalFormat;
import java.text.DecimalFormatSymbols;
import java.util.Locale;
import org.springframework.stereotype.Component;

/**
 * Number formats of the sales pages and the member purchase panel (templates reach it as
 * {@code @salesPageFormat}): fen as yuan, ratios as percentages, quantities without trailing zeros.
 */
@Component("salesPageFormat")
public class SalesPageFormat {

    /** ¥1,234.50 for 123450 fen; negative amounts keep their sign. */
    public String yuan(Long fen) {
        if (fen == null) {
            return "—";
        }
        DecimalFormat f = new DecimalFormat("#,##0.00", DecimalFormatSymbols.getInstance(Locale.ROOT));
        String s = f.format(BigDecimal.valueOf(Math.abs(fen), 2));
        return (fen < 0 ? "−¥" : "¥") + s;
    }

    /** Whole yuan, for the KPI cards. */
    public String yuanShort(Long fen) {
        if (fen == null) {
            return "—";
        }
        DecimalFormat f = new DecimalFormat("#,##0", DecimalFormatSymbols.getInstance(Locale.ROOT));
        String s = f.format(BigDecimal.valueOf(Math.abs(fen), 2).setScale(0, RoundingMode.HALF_UP));
        return (fen < 0 ? "−¥" : "¥") + s;
    }

    /** 12.3 % for 0.1234; — when unknown. */
    public String pct(BigDecimal ratio) {
        if (ratio == null) {
            return "—";
        }
        return ratio.movePointRight(2).setScale(1, RoundingMode.HALF_UP).toPlainString() + "%";
    }

    /** Percentage as a number 0-100 for progress bars. */
    public int bar(BigDecimal ratio) {
        if (ratio == null) {
            return 0;
        }
        return Math.max(
                0,
                Math.min(
                        100,
                        ratio.movePointRight(2)
                                .setScale(0, RoundingMode.HALF_UP)
                                .intValue()));
    }

    /** 1,234.5 — grouped, at most three decimals, no trailing zeros. */
    public String num(BigDecimal n) {
        if (n == null) {
            return "—";
        }
        return new DecimalFormat("#,##0.###", DecimalFormatSymbols.getInstance(Locale.ROOT)).format(n);
    }

    public String count(long n) {
        return new DecimalFormat("#,##0", DecimalFormatSymbols.getInstance(Locale.ROOT)).format(n);
    }
}
