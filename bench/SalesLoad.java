// Closed-loop HTTP load generator for the POS ingest benchmark (bench/sales.sh). Single-file:
//   java bench/SalesLoad.java <base-url> <api-key> <single|batch> <clients> <seconds> <warmup-s> <counters-file> <cards-file> [lines-per-sale] [batch-size]
// Each of <clients> threads sends the next request as soon as the previous answer arrived (closed
// loop). A request is POST /api/v1/sales with one sale (single) or POST /api/v1/sales/batch with
// <batch-size> sales (batch, default 1000). Every sale is new (unique POS transaction id), has
// <lines-per-sale> lines (default 3) at random counters of one store with one of the counter's
// brands, and names a member by a random card from <cards-file> in 70% of sales (anonymous
// otherwise). counters-file lines: counter_code,store_code,brand_code.
// Prints throughput (sales/s and requests/s), request latency p50/p95/p99/max over the measured
// window (warm-up requests are sent but not recorded) and status counts. Latency is from just before
// the send to the complete response body, so it includes HTTP on localhost and the client's own
// CPU use (client and server share the machine).
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.*;
import java.util.concurrent.*;
import java.util.concurrent.atomic.AtomicLong;

public class SalesLoad {

    record Counter(String code, String store, String brand) {}

    public static void main(String[] args) throws Exception {
        String base = args[0], key = args[1], mode = args[2];
        int clients = Integer.parseInt(args[3]);
        int seconds = Integer.parseInt(args[4]);
        int warmup = Integer.parseInt(args[5]);
        List<Counter> counters = Files.readAllLines(Path.of(args[6]), StandardCharsets.UTF_8).stream()
                .filter(s -> !s.isBlank()).map(s -> s.split(",")).map(a -> new Counter(a[0], a[1], a[2])).toList();
        List<String> cards = Files.readAllLines(Path.of(args[7]), StandardCharsets.UTF_8).stream()
                .filter(s -> !s.isBlank()).toList();
        int linesPerSale = args.length > 8 ? Integer.parseInt(args[8]) : 3;
        int batchSize = mode.equals("batch") ? (args.length > 9 ? Integer.parseInt(args[9]) : 1000) : 1;
        Map<String, List<Counter>> byStore = new HashMap<>();
        counters.forEach(c -> byStore.computeIfAbsent(c.store(), k -> new ArrayList<>()).add(c));
        List<String> stores = new ArrayList<>(byStore.keySet());
        String run = Long.toString(System.currentTimeMillis(), 36);
        String date = LocalDate.now().minusDays(1).toString();
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
        long startNs = System.nanoTime();
        long measureFrom = startNs + warmup * 1_000_000_000L;
        long endNs = measureFrom + seconds * 1_000_000_000L;
        ConcurrentLinkedQueue<long[]> all = new ConcurrentLinkedQueue<>();
        ConcurrentHashMap<Integer, AtomicLong> statuses = new ConcurrentHashMap<>();
        AtomicLong measuredSales = new AtomicLong();
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            int client = c;
            Thread t = new Thread(() -> {
                Random rnd = new Random(client * 7919L + 17);
                long[] lat = new long[1 << 20];
                int n = 0;
                long seq = 0;
                while (true) {
                    long now = System.nanoTime();
                    if (now >= endNs) break;
                    StringBuilder body = new StringBuilder(batchSize * 600);
                    if (batchSize > 1) body.append("{\"sales\":[");
                    for (int s = 0; s < batchSize; s++) {
                        if (s > 0) body.append(',');
                        sale(body, rnd, stores, byStore, cards, linesPerSale, run + "-" + client + "-" + (seq++), date);
                    }
                    if (batchSize > 1) body.append("]}");
                    HttpRequest req = HttpRequest.newBuilder(URI.create(base + (batchSize > 1 ? "/api/v1/sales/batch" : "/api/v1/sales")))
                            .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                            .timeout(Duration.ofSeconds(60))
                            .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build();
                    long t0 = System.nanoTime();
                    int status;
                    try {
                        HttpResponse<String> res = http.send(req, HttpResponse.BodyHandlers.ofString());
                        status = res.statusCode();
                        if (status >= 400 && statuses.getOrDefault(status, new AtomicLong()).get() < 3) {
                            System.err.println(status + " " + res.body().substring(0, Math.min(400, res.body().length())));
                        }
                    } catch (Exception e) {
                        status = -1;
                    }
                    long t1 = System.nanoTime();
                    if (t0 >= measureFrom && t1 <= endNs) {
                        statuses.computeIfAbsent(status, k -> new AtomicLong()).incrementAndGet();
                        if (n < lat.length) lat[n++] = t1 - t0;
                        if (status == 200 || status == 201) measuredSales.addAndGet(batchSize);
                    }
                }
                all.add(Arrays.copyOf(lat, n));
            });
            t.start();
            threads.add(t);
        }
        for (Thread t : threads) t.join();
        long[] lat = all.stream().flatMapToLong(Arrays::stream).sorted().toArray();
        double secs = seconds;
        System.out.printf(Locale.ROOT,
                "%s clients=%d lines=%d batch=%d: %.0f sales/s, %.1f requests/s; latency ms p50 %.1f p95 %.1f p99 %.1f max %.1f; statuses %s%n",
                mode, clients, linesPerSale, batchSize, measuredSales.get() / secs, lat.length / secs,
                pct(lat, 50), pct(lat, 95), pct(lat, 99), lat.length == 0 ? 0 : lat[lat.length - 1] / 1e6, statuses);
        // read by bench/run.sh
        System.out.printf(Locale.ROOT, "RESULT %s c=%d | %.0f/s | p50 %.1f ms | p99 %.1f ms%n",
                batchSize > 1 ? "batch-" + batchSize : "single-sale", clients, measuredSales.get() / secs,
                pct(lat, 50), pct(lat, 99));
    }

    static double pct(long[] sorted, double p) {
        if (sorted.length == 0) return 0;
        int i = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))] / 1e6;
    }

    static void sale(StringBuilder b, Random rnd, List<String> stores, Map<String, List<Counter>> byStore,
            List<String> cards, int lines, String txn, String date) {
        String store = stores.get(rnd.nextInt(stores.size()));
        List<Counter> cs = byStore.get(store);
        b.append("{\"storeCode\":\"").append(store).append("\",\"posTerminal\":\"B1\",\"posTransactionId\":\"")
                .append(txn).append("\",\"businessDate\":\"").append(date).append('"');
        if (!cards.isEmpty() && rnd.nextInt(10) < 7) {
            b.append(",\"cardNumber\":\"").append(cards.get(rnd.nextInt(cards.size()))).append('"');
        }
        b.append(",\"lines\":[");
        long total = 0;
        for (int l = 0; l < lines; l++) {
            Counter c = cs.get(rnd.nextInt(cs.size()));
            int qty = 1 + rnd.nextInt(2);
            long price = (10 + rnd.nextInt(990)) * 100L;
            long discount = rnd.nextInt(4) == 0 ? price / 10 : 0;
            total += qty * price - discount;
            if (l > 0) b.append(',');
            b.append("{\"sku\":\"SKU").append(rnd.nextInt(100000)).append("\",\"counterCode\":\"").append(c.code())
                    .append("\",\"brandCode\":\"").append(c.brand()).append("\",\"quantity\":").append(qty)
                    .append(",\"unitPriceFen\":").append(price).append(",\"discountFen\":").append(discount).append('}');
        }
        b.append("],\"payments\":[{\"method\":\"MOBILE_PAY\",\"amountFen\":").append(total).append("}]}");
    }
}
