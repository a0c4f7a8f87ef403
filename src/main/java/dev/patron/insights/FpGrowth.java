package dev.patron.insights;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * FP-Growth (Han, Pei &amp; Yin 2000, "Mining frequent patterns without candidate generation",
 * SIGMOD) over baskets of dense int item ids, and the rules {@code X => {y}} (one item on the
 * right-hand side, as arules' apriori) of the frequent itemsets. Two passes over the baskets: item
 * counts, then the FP-tree (parallel int arrays, no object per node), so memory grows with the
 * distinct prefixes of the frequent items, not with the number of baskets.
 *
 * <p>Thresholds are compared exactly with integers: an itemset is frequent when its count is at
 * least {@code ceil(minSupport × baskets)} (BigDecimal), and a rule is kept when
 * {@code count(X ∪ Y) × den ≥ num × count(X)} with {@code minConfidence = num / den}, so a rule whose
 * confidence is exactly the threshold (e.g. 0.5) is kept.
 */
final class FpGrowth {

    /** Up to 10 items in an itemset (arules' default maxlen). */
    static final int MAX_ITEMS = 10;

    /** The baskets, offered twice: each call delivers every basket once (distinct items, any order). */
    interface Baskets {
        void forEach(BasketConsumer consumer);
    }

    @FunctionalInterface
    interface BasketConsumer {
        /** The first {@code length} entries of {@code items} are the basket's item ids (0-based, dense). */
        void accept(int[] items, int length);
    }

    /** A frequent itemset: item ids ascending and the number of baskets containing them all. */
    record Itemset(int[] items, long count) {}

    /** A rule {@code antecedent => consequent} with the counts it was judged by. */
    record Rule(int[] antecedent, int consequent, long both, long antecedentCount, long consequentCount) {}

    /** What a run found. */
    record Result(long baskets, long minCount, List<Itemset> itemsets, List<Rule> rules) {}

    private final BigDecimal minSupport;
    private final BigInteger confNum;
    private final BigInteger confDen;
    private final int maxItems;

    FpGrowth(BigDecimal minSupport, BigDecimal minConfidence, int maxItems) {
        this.minSupport = minSupport;
        BigDecimal c = minConfidence.stripTrailingZeros();
        if (c.scale() < 0) {
            c = c.setScale(0);
        }
        this.confNum = c.unscaledValue();
        this.confDen = BigInteger.TEN.pow(c.scale());
        this.maxItems = maxItems;
    }

    /** The least count an itemset needs among {@code baskets}: ceil(minSupport × baskets), at least 1. */
    static long minCount(BigDecimal minSupport, long baskets) {
        long c = minSupport
                .multiply(BigDecimal.valueOf(baskets))
                .setScale(0, RoundingMode.CEILING)
                .longValueExact();
        return Math.max(1, c);
    }

    /** Whether {@code both / antecedent ≥ num / den}, compared as integers. */
    boolean confident(long both, long antecedent) {
        return BigInteger.valueOf(both).multiply(confDen).compareTo(confNum.multiply(BigInteger.valueOf(antecedent)))
                >= 0;
    }

    Result mine(Baskets baskets) {
        // pass 1: item counts and the number of baskets
        long[] counts = new long[64];
        long[] n = {0};
        int[] universe = {0};
        long[][] holder = {counts};
        baskets.forEach((items, length) -> {
            if (length == 0) {
                return;
            }
            n[0]++;
            for (int i = 0; i < length; i++) {
                int it = items[i];
                if (it >= holder[0].length) {
                    holder[0] = Arrays.copyOf(holder[0], Math.max(it + 1, holder[0].length * 2));
                }
                holder[0][it]++;
                universe[0] = Math.max(universe[0], it + 1);
            }
        });
        counts = holder[0];
        long minCount = minCount(minSupport, n[0]);
        // frequent items ordered by count descending (ties by id): rank 0 is the most frequent
        List<Integer> frequent = new ArrayList<>();
        for (int i = 0; i < universe[0]; i++) {
            if (counts[i] >= minCount) {
                frequent.add(i);
            }
        }
        long[] c = counts;
        frequent.sort((a, b) -> c[a] != c[b] ? Long.compare(c[b], c[a]) : Integer.compare(a, b));
        int[] itemOfRank = frequent.stream().mapToInt(Integer::intValue).toArray();
        int[] rankOfItem = new int[universe[0]];
        Arrays.fill(rankOfItem, -1);
        for (int r = 0; r < itemOfRank.length; r++) {
            rankOfItem[itemOfRank[r]] = r;
        }
        // pass 2: the FP-tree
        Tree tree = new Tree(itemOfRank.length);
        int[] path = new int[16];
        int[][] pathHolder = {path};
        baskets.forEach((items, length) -> {
            if (pathHolder[0].length < length) {
                pathHolder[0] = new int[Math.max(length, pathHolder[0].length * 2)];
            }
            int[] p = pathHolder[0];
            int k = 0;
            for (int i = 0; i < length; i++) {
                int it = items[i];
                int r = it < rankOfItem.length ? rankOfItem[it] : -1;
                if (r >= 0) {
                    p[k++] = r;
                }
            }
            if (k == 0) {
                return;
            }
            Arrays.sort(p, 0, k);
            int distinct = 1;
            for (int i = 1; i < k; i++) {
                if (p[i] != p[distinct - 1]) {
                    p[distinct++] = p[i];
                }
            }
            tree.insert(p, distinct, 1);
        });
        // mine
        Map<Key, Long> found = new HashMap<>();
        List<Itemset> itemsets = new ArrayList<>();
        growth(tree, new int[0], minCount, itemOfRank, found, itemsets);
        // rules X => {y} of every frequent itemset of two items or more
        List<Rule> rules = new ArrayList<>();
        for (Itemset z : itemsets) {
            int[] items = z.items();
            if (items.length < 2) {
                continue;
            }
            for (int i = 0; i < items.length; i++) {
                int[] x = new int[items.length - 1];
                for (int j = 0, k = 0; j < items.length; j++) {
                    if (j != i) {
                        x[k++] = items[j];
                    }
                }
                long xCount = found.get(new Key(x));
                if (confident(z.count(), xCount)) {
                    rules.add(new Rule(x, items[i], z.count(), xCount, counts[items[i]]));
                }
            }
        }
        return new Result(n[0], minCount, itemsets, rules);
    }

    /** Emits every frequent itemset ending in the tree's items, with {@code suffix} (ranks) appended. */
    private void growth(
            Tree tree, int[] suffix, long minCount, int[] itemOfRank, Map<Key, Long> found, List<Itemset> out) {
        int[] path = new int[64];
        for (int r = tree.headers - 1; r >= 0; r--) {
            long count = tree.headCount[r];
            if (count < minCount) {
                continue;
            }
            int[] itemset = Arrays.copyOf(suffix, suffix.length + 1);
            itemset[suffix.length] = r;
            int[] ids = new int[itemset.length];
            for (int i = 0; i < itemset.length; i++) {
                ids[i] = itemOfRank[itemset[i]];
            }
            Arrays.sort(ids);
            found.put(new Key(ids), count);
            out.add(new Itemset(ids, count));
            if (itemset.length >= maxItems || r == 0) {
                continue;
            }
            // the conditional pattern base of rank r: prefix paths weighted by the node counts
            long[] condCount = new long[r];
            for (int node = tree.headFirst[r]; node >= 0; node = tree.link[node]) {
                long w = tree.count[node];
                for (int p = tree.parent[node]; p > 0; p = tree.parent[p]) {
                    condCount[tree.item[p]] += w;
                }
            }
            boolean any = false;
            for (int i = 0; i < r; i++) {
                if (condCount[i] >= minCount) {
                    any = true;
                    break;
                }
            }
            if (!any) {
                continue;
            }
            Tree cond = new Tree(r);
            for (int node = tree.headFirst[r]; node >= 0; node = tree.link[node]) {
                int k = 0;
                for (int p = tree.parent[node]; p > 0; p = tree.parent[p]) {
                    int it = tree.item[p];
                    if (condCount[it] >= minCount) {
                        if (k == path.length) {
                            path = Arrays.copyOf(path, k * 2);
                        }
                        path[k++] = it;
                    }
                }
                if (k > 0) {
                    // collected leaf to root: ranks descending; insert root to leaf
                    for (int i = 0, j = k - 1; i < j; i++, j--) {
                        int t = path[i];
                        path[i] = path[j];
                        path[j] = t;
                    }
                    cond.insert(path, k, tree.count[node]);
                }
            }
            growth(cond, itemset, minCount, itemOfRank, found, out);
        }
    }

    /** An FP-tree in parallel arrays; node 0 is the root. Items are ranks; children found through a hash table. */
    static final class Tree {
        final int headers;
        final int[] headFirst;
        final long[] headCount;
        int size = 1;
        int[] item = new int[1024];
        int[] parent = new int[1024];
        int[] link = new int[1024];
        long[] count = new long[1024];

        Tree(int headers) {
            this.headers = headers;
            this.headFirst = new int[headers];
            this.headCount = new long[headers];
            Arrays.fill(headFirst, -1);
            item[0] = -1;
            parent[0] = -1;
            link[0] = -1;
        }

        /** Adds a path of ranks (ascending) with weight {@code w}. */
        void insert(int[] ranks, int length, long w) {
            int node = 0;
            for (int i = 0; i < length; i++) {
                int r = ranks[i];
                int child = child(node, r);
                if (child < 0) {
                    child = newNode(r, node);
                }
                count[child] += w;
                headCount[r] += w;
                node = child;
            }
        }

        /**
         * The child of {@code node} with rank {@code r}, or -1: an open-addressing hash table keyed by
         * (parent, rank), so that a node with hundreds of children (the root) is found in O(1).
         */
        private long[] keys = new long[2048];

        private int[] values = new int[2048];
        private int entries;

        private static long key(int node, int r) {
            return ((long) node << 32) | (r & 0xffffffffL);
        }

        private int slot(long k, long[] table) {
            int h = Long.hashCode(k * 0x9E3779B97F4A7C15L);
            return h & (table.length - 1);
        }

        private int child(int node, int r) {
            long k = key(node, r) + 1; // 0 marks an empty slot
            int i = slot(k, keys);
            while (keys[i] != 0) {
                if (keys[i] == k) {
                    return values[i];
                }
                i = (i + 1) & (keys.length - 1);
            }
            return -1;
        }

        private void putChild(int node, int r, int child) {
            if ((entries + 1) * 2 > keys.length) {
                long[] oldKeys = keys;
                int[] oldValues = values;
                keys = new long[oldKeys.length * 2];
                values = new int[oldKeys.length * 2];
                for (int j = 0; j < oldKeys.length; j++) {
                    if (oldKeys[j] != 0) {
                        int i = slot(oldKeys[j], keys);
                        while (keys[i] != 0) {
                            i = (i + 1) & (keys.length - 1);
                        }
                        keys[i] = oldKeys[j];
                        values[i] = oldValues[j];
                    }
                }
            }
            long k = key(node, r) + 1;
            int i = slot(k, keys);
            while (keys[i] != 0) {
                i = (i + 1) & (keys.length - 1);
            }
            keys[i] = k;
            values[i] = child;
            entries++;
        }

        private int newNode(int r, int parentNode) {
            if (size == item.length) {
                int cap = item.length * 2;
                item = Arrays.copyOf(item, cap);
                parent = Arrays.copyOf(parent, cap);
                link = Arrays.copyOf(link, cap);
                count = Arrays.copyOf(count, cap);
            }
            int n = size++;
            item[n] = r;
            parent[n] = parentNode;
            putChild(parentNode, r, n);
            link[n] = headFirst[r];
            headFirst[r] = n;
            count[n] = 0;
            return n;
        }
    }

    /** An itemset (ids ascending) as a map key. */
    record Key(int[] items) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && Arrays.equals(items, k.items);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(items);
        }
    }
}
