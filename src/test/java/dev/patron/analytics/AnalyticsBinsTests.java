package dev.patron.analytics;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The histogram bins of the behaviour dashboard: bounds belong to their own bin, the last bin is open. */
class AnalyticsBinsTests {

    @Test
    void boundsAreIncludedInTheirBinAndTheLastBinIsOpen() {
        var bins = Analytics.bins(Map.of(1, 2L, 7, 1L, 8, 4L, 365, 3L, 366, 5L, 900, 1L), Analytics.INTERVAL_BOUNDS);
        assertThat(bins)
                .extracting(PurchaseBehaviour.Bin::key)
                .containsExactly("1-7", "8-14", "15-30", "31-60", "61-90", "91-180", "181-365", "366+");
        assertThat(bins).extracting(PurchaseBehaviour.Bin::count).containsExactly(3L, 4L, 0L, 0L, 0L, 0L, 3L, 6L);
    }

    @Test
    void singleValueBinsAreNamedByTheirValue() {
        var bins = Analytics.bins(Map.of(1, 5L, 6, 1L, 9, 2L, 10, 7L), Analytics.FREQUENCY_BOUNDS);
        assertThat(bins).extracting(PurchaseBehaviour.Bin::key).containsExactly("1", "2", "3", "4", "5", "6-9", "10+");
        assertThat(bins).extracting(PurchaseBehaviour.Bin::count).containsExactly(5L, 0L, 0L, 0L, 0L, 3L, 7L);
    }

    @Test
    void ratiosHaveFourDecimalsAndNoValueWithoutADenominator() {
        assertThat(Analytics.ratio(1, 3)).isEqualByComparingTo("0.3333");
        assertThat(Analytics.ratio(2, 3)).isEqualByComparingTo("0.6667");
        assertThat(Analytics.ratio(0, 0)).isNull();
    }
}
