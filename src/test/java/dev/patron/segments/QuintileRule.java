package dev.patron.segments;

import java.util.Arrays;

/**
 * The documented quintile rule, written independently of the SQL for the tests: score =
 * 1 + ⌊5·(rank−1)/(n−1)⌋, at most 5, where rank is 1 + the number of values strictly lower (equal
 * values share the rank, so they share a score) and n the number of values; n = 1 gives 1. For
 * recency pass the negated days (more recent = higher score).
 */
final class QuintileRule {

    private QuintileRule() {}

    static int[] scores(long[] values) {
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = values.length;
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            int below = lowerBound(sorted, values[i]);
            long rank = below + 1L;
            out[i] = n == 1 ? 1 : (int) Math.min(5, 1 + 5 * (rank - 1) / (n - 1));
        }
        return out;
    }

    private static int lowerBound(long[] sorted, long v) {
        int lo = 0;
        int hi = sorted.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (sorted[mid] < v) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }
}
