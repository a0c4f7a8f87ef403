package dev.patron.insights;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** FP-Growth against a brute-force miner that counts every subset of a small item universe. */
class FpGrowthTests {

    static FpGrowth.Baskets of(List<int[]> baskets) {
        return consumer -> baskets.forEach(b -> consumer.accept(b, b.length));
    }

    /** Every itemset of the universe with its count, rules by definition (exact rational compare via BigDecimal). */
    static Set<String> bruteForce(
            List<int[]> baskets, int universe, BigDecimal minSupport, BigDecimal minConfidence, int maxItems) {
        long n = baskets.stream().filter(b -> b.length > 0).count();
        TreeMap<Integer, Long> counts = new TreeMap<>();
        for (int mask = 1; mask < (1 << universe); mask++) {
            long c = 0;
            for (int[] b : baskets) {
                int bm = 0;
                for (int i : b) {
                    bm |= 1 << i;
                }
                if ((bm & mask) == mask) {
                    c++;
                }
            }
            counts.put(mask, c);
        }
        Set<String> rules = new TreeSet<>();
        for (var e : counts.entrySet()) {
            int z = e.getKey();
            int size = Integer.bitCount(z);
            if (size < 2 || size > maxItems) {
                continue;
            }
            long both = e.getValue();
            // support ≥ minSupport  ⇔  both / n ≥ minSupport
            if (BigDecimal.valueOf(both).compareTo(minSupport.multiply(BigDecimal.valueOf(n))) < 0) {
                continue;
            }
            for (int y = 0; y < universe; y++) {
                if ((z & (1 << y)) == 0) {
                    continue;
                }
                long x = counts.get(z & ~(1 << y));
                if (BigDecimal.valueOf(both).compareTo(minConfidence.multiply(BigDecimal.valueOf(x))) >= 0) {
                    rules.add(rule(bits(z & ~(1 << y)), y, both, x));
                }
            }
        }
        return rules;
    }

    static int[] bits(int mask) {
        return java.util.stream.IntStream.range(0, 32)
                .filter(i -> (mask & (1 << i)) != 0)
                .toArray();
    }

    static String rule(int[] x, int y, long both, long xCount) {
        return Arrays.toString(x) + "=>" + y + " " + both + "/" + xCount;
    }

    static Set<String> mined(List<int[]> baskets, BigDecimal minSupport, BigDecimal minConfidence, int maxItems) {
        FpGrowth.Result r = new FpGrowth(minSupport, minConfidence, maxItems).mine(of(baskets));
        return r.rules().stream()
                .map(x -> rule(x.antecedent(), x.consequent(), x.both(), x.antecedentCount()))
                .collect(Collectors.toCollection(TreeSet::new));
    }

    @Test
    void findsExactlyTheRulesOfABruteForceMinerOnRandomBaskets() {
        Random random = new Random(20261126L);
        int checkedWithRules = 0;
        for (int round = 0; round < 60; round++) {
            int universe = 4 + random.nextInt(7);
            int count = 20 + random.nextInt(200);
            List<int[]> baskets = new ArrayList<>();
            for (int b = 0; b < count; b++) {
                TreeSet<Integer> items = new TreeSet<>();
                int size = random.nextInt(universe + 1);
                for (int i = 0; i < size; i++) {
                    // skewed: low ids are frequent, like real baskets
                    items.add((int) Math.min(universe - 1, Math.abs(random.nextGaussian()) * universe / 2.5));
                }
                int[] arr = items.stream().mapToInt(Integer::intValue).toArray();
                // any order: the miner must not rely on sorted input
                for (int i = arr.length - 1; i > 0; i--) {
                    int j = random.nextInt(i + 1);
                    int t = arr[i];
                    arr[i] = arr[j];
                    arr[j] = t;
                }
                baskets.add(arr);
            }
            BigDecimal support = BigDecimal.valueOf(1 + random.nextInt(30), 2);
            BigDecimal confidence = BigDecimal.valueOf(1 + random.nextInt(10), 1);
            int maxItems = 2 + random.nextInt(4);
            Set<String> expected = bruteForce(baskets, universe, support, confidence, maxItems);
            assertThat(mined(baskets, support, confidence, maxItems))
                    .as("round %d: support %s confidence %s max %d", round, support, confidence, maxItems)
                    .isEqualTo(expected);
            if (!expected.isEmpty()) {
                checkedWithRules++;
            }
        }
        assertThat(checkedWithRules).as("rounds that had rules to find").isGreaterThan(30);
    }

    @Test
    void keepsARuleWhoseConfidenceIsExactlyTheThreshold() {
        // {0} in 6 baskets, {0,1} in 3: confidence exactly 0.5; {0,2} in 2: 0.333…
        List<int[]> baskets = List.of(
                new int[] {0, 1},
                new int[] {0, 1},
                new int[] {0, 1, 2},
                new int[] {0, 2},
                new int[] {0},
                new int[] {0},
                new int[] {1},
                new int[] {3});
        Set<String> rules = mined(baskets, new BigDecimal("0.1"), new BigDecimal("0.5"), 10);
        assertThat(rules).contains(rule(new int[] {0}, 1, 3, 6)).noneMatch(r -> r.startsWith("[0]=>2"));
        // one notch above 0.5 drops it
        assertThat(mined(baskets, new BigDecimal("0.1"), new BigDecimal("0.5000001"), 10))
                .doesNotContain(rule(new int[] {0}, 1, 3, 6));
    }

    @Test
    void needsTheSupportCountRoundedUpNotDown() {
        // 10 baskets, min support 0.25: an itemset needs ceil(2.5) = 3 baskets, so {0,1} in 2 is out
        assertThat(FpGrowth.minCount(new BigDecimal("0.25"), 10)).isEqualTo(3);
        assertThat(FpGrowth.minCount(new BigDecimal("0.001"), 9835)).isEqualTo(10);
        assertThat(FpGrowth.minCount(new BigDecimal("0.01"), 9835)).isEqualTo(99);
        assertThat(FpGrowth.minCount(new BigDecimal("0.3"), 10)).isEqualTo(3);
        List<int[]> baskets = new ArrayList<>();
        baskets.add(new int[] {0, 1});
        baskets.add(new int[] {0, 1});
        for (int i = 0; i < 8; i++) {
            baskets.add(new int[] {0});
        }
        assertThat(mined(baskets, new BigDecimal("0.25"), new BigDecimal("0.1"), 10))
                .isEmpty();
        assertThat(mined(baskets, new BigDecimal("0.2"), new BigDecimal("0.1"), 10))
                .hasSize(2);
    }
}
