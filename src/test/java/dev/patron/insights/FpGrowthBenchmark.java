package dev.patron.insights;

import java.math.BigDecimal;
import java.util.SplittableRandom;

/**
 * Mining time and memory of {@link FpGrowth} on synthetic baskets, outside the test run (the name
 * does not end in Tests): {@code ./mvnw -o test -Dtest=FpGrowthBenchmark -Dxsell.baskets=10000000}.
 * Baskets: 1-12 items (mean about 4) from 300 categories with Zipf-like popularity and a few
 * planted pairs, generated on the fly in both passes (same seed), as rows would stream from
 * PostgreSQL. Prints baskets, itemsets, rules, seconds and the heap used after mining.
 */
class FpGrowthBenchmark {

    static final int ITEMS = 300;

    public static void main(String[] args) {
        run(Long.getLong("xsell.baskets", 10_000_000L), new BigDecimal(System.getProperty("xsell.support", "0.001")));
    }

    @org.junit.jupiter.api.Test
    void mineSyntheticBaskets() {
        main(new String[0]);
    }

    static void run(long count, BigDecimal support) {
        double[] cumulative = new double[ITEMS];
        double sum = 0;
        for (int i = 0; i < ITEMS; i++) {
            sum += 1.0 / (i + 1);
            cumulative[i] = sum;
        }
        double total = sum;
        FpGrowth.Baskets baskets = consumer -> {
            SplittableRandom random = new SplittableRandom(7);
            int[] basket = new int[16];
            for (long b = 0; b < count; b++) {
                int size = 1 + (int) Math.min(11, -Math.log(1 - random.nextDouble()) * 3);
                int n = 0;
                outer:
                for (int k = 0; k < size; k++) {
                    double u = random.nextDouble() * total;
                    int lo = 0;
                    int hi = ITEMS - 1;
                    while (lo < hi) {
                        int mid = (lo + hi) >>> 1;
                        if (cumulative[mid] < u) {
                            lo = mid + 1;
                        } else {
                            hi = mid;
                        }
                    }
                    for (int j = 0; j < n; j++) {
                        if (basket[j] == lo) {
                            continue outer;
                        }
                    }
                    basket[n++] = lo;
                    // planted cross-sell: bag (10) brings a belt (11) 60 % of the time
                    if (lo == 10 && random.nextDouble() < 0.6 && n < basket.length) {
                        basket[n++] = 11;
                        k++;
                    }
                }
                consumer.accept(basket, n);
            }
        };
        Runtime rt = Runtime.getRuntime();
        rt.gc();
        long before = rt.totalMemory() - rt.freeMemory();
        var threads = java.lang.management.ManagementFactory.getThreadMXBean();
        long cpu = threads.getCurrentThreadCpuTime();
        long start = System.nanoTime();
        FpGrowth.Result r = new FpGrowth(support, new BigDecimal("0.1"), FpGrowth.MAX_ITEMS).mine(baskets);
        double seconds = (System.nanoTime() - start) / 1e9;
        double cpuSeconds = (threads.getCurrentThreadCpuTime() - cpu) / 1e9;
        long after = rt.totalMemory() - rt.freeMemory();
        System.out.printf(
                "FpGrowthBenchmark: %,d baskets, min support %s (%,d), %,d itemsets, %,d rules in %.1f s (CPU %.1f s); heap +%,d MB%n",
                r.baskets(),
                support.toPlainString(),
                r.minCount(),
                r.itemsets().size(),
                r.rules().size(),
                seconds,
                cpuSeconds,
                (after - before) / (1024 * 1024));
    }
}
