// Open-loop HTTP load generator for the member benchmarks (bench/members.sh). Run with the JDK's
// single-file launcher:
//   java bench/MemberLoad.java <base-url> <api-key> <path?param=> <values-file> <rate/s> <seconds> [warmup-seconds]
// e.g. java bench/MemberLoad.java http://localhost:18080 $KEY '/api/v1/members/lookup?phone=' phones.txt 200 60 10
// Sends one GET per 1/rate s on a fixed schedule (not waiting for answers, so a slow answer does
// not lower the rate), each with a random value from the file (URL-encoded) appended to the path.
// Latency is measured from the scheduled send time to the complete response body, so queueing in
// the client or the server counts. Prints p50/p95/p99/max and status counts; warm-up requests are
// sent at the same rate but not recorded.
// Server-side: scrapes /actuator/prometheus when the measured window starts and after the last
// answer, and prints p50/p95/p99 of http_server_requests_seconds for the path's URI from the
// difference of the histogram buckets (linear interpolation inside a bucket, as Prometheus'
// histogram_quantile does), plus the share of requests at or under 5 ms and 100 ms. This is the
// time Spring MVC's observation sees (filters included, after Tomcat accepted and parsed the
// request), without the client, the loopback network and queueing in front of Tomcat.
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.*;
import java.util.concurrent.*;
import java.util.concurrent.atomic.AtomicLong;

public class MemberLoad {
    public static void main(String[] args) throws Exception {
        String base = args[0], key = args[1], path = args[2];
        List<String> values = Files.readAllLines(Path.of(args[3]), StandardCharsets.UTF_8).stream()
                .filter(s -> !s.isBlank()).toList();
        double rate = Double.parseDouble(args[4]);
        int seconds = Integer.parseInt(args[5]);
        int warmup = args.length > 6 ? Integer.parseInt(args[6]) : 5;
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .executor(Executors.newFixedThreadPool(8)).connectTimeout(Duration.ofSeconds(5)).build();
        Random random = new Random(42);
        long total = (long) Math.round(rate * (warmup + seconds));
        long warmCount = (long) Math.round(rate * warmup);
        long measured = total - warmCount;
        long[] lat = new long[(int) measured];
        Arrays.fill(lat, -1);
        ConcurrentHashMap<String, AtomicLong> statuses = new ConcurrentHashMap<>();
        AtomicLong late = new AtomicLong();
        CountDownLatch done = new CountDownLatch((int) total);
        long periodNs = (long) (1e9 / rate);
        long start = System.nanoTime() + 100_000_000L;
        String bare = path.substring(0, path.indexOf('?') < 0 ? path.length() : path.indexOf('?'));
        // a path the value completes (e.g. /api/v1/members/ + id) is counted under Spring's URI template
        String uri = bare.endsWith("/") ? bare + "{id}" : bare;
        CompletableFuture<Map<Double, Double>> before = new CompletableFuture<>();
        Executors.newSingleThreadScheduledExecutor(r -> {
                    Thread t = new Thread(r);
                    t.setDaemon(true);
                    return t;
                })
                .schedule(() -> {
                    try {
                        before.complete(buckets(client, base, key, uri));
                    } catch (Exception e) {
                        before.completeExceptionally(e);
                    }
                }, start + warmCount * periodNs - System.nanoTime(), TimeUnit.NANOSECONDS);
        for (long k = 0; k < total; k++) {
            long due = start + k * periodNs;
            long wait;
            while ((wait = due - System.nanoTime()) > 0) {
                if (wait > 200_000) Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000)); else Thread.onSpinWait();
            }
            if (System.nanoTime() - due > 1_000_000) late.incrementAndGet();
            String v = values.get(random.nextInt(values.size()));
            HttpRequest req = HttpRequest.newBuilder(URI.create(base + path + URLEncoder.encode(v, StandardCharsets.UTF_8)))
                    .header("Authorization", "Bearer " + key).timeout(Duration.ofSeconds(30)).GET().build();
            final long idx = k - warmCount;
            client.sendAsync(req, HttpResponse.BodyHandlers.ofByteArray()).whenComplete((r, e) -> {
                long t = System.nanoTime() - due;
                if (idx >= 0) {
                    lat[(int) idx] = t;
                    statuses.computeIfAbsent(e != null ? e.getClass().getSimpleName() : String.valueOf(r.statusCode()),
                            s -> new AtomicLong()).incrementAndGet();
                }
                done.countDown();
            });
        }
        done.await(60, TimeUnit.SECONDS);
        Map<Double, Double> after = buckets(client, base, key, uri);
        long[] ok = Arrays.stream(lat).filter(x -> x >= 0).sorted().toArray();
        double actual = ok.length / (double) seconds;
        System.out.printf(Locale.ROOT, "path=%s rate=%.0f/s seconds=%d (+%d warm-up) requests=%d (%.1f/s) late-sends(>1ms)=%d statuses=%s%n",
                path, rate, seconds, warmup, ok.length, actual, late.get(), new TreeMap<>(statuses));
        System.out.printf(Locale.ROOT, "latency ms: p50=%.2f p95=%.2f p99=%.2f p99.9=%.2f max=%.2f mean=%.2f%n",
                pct(ok, 50), pct(ok, 95), pct(ok, 99), pct(ok, 99.9), ok[ok.length - 1] / 1e6,
                Arrays.stream(ok).average().orElse(0) / 1e6);
        // read by bench/run.sh
        String name = path.replaceAll("\\?.*", "") + (path.contains("?") ? "?" + path.replaceAll(".*\\?([a-z]+).*", "$1") : "");
        System.out.printf(Locale.ROOT, "RESULT %s @%.0f/s | %.1f/s | p50 %.2f ms | p99 %.2f ms%n",
                name, rate, actual, pct(ok, 50), pct(ok, 99));
        Map<Double, Double> first = before.get(10, TimeUnit.SECONDS);
        TreeMap<Double, Double> delta = new TreeMap<>();
        after.forEach((le, n) -> delta.put(le, n - first.getOrDefault(le, 0.0)));
        double count = delta.isEmpty() ? 0 : delta.lastEntry().getValue();
        if (count > 0) {
            System.out.printf(Locale.ROOT, "server-side ms (%s, %.0f requests, Micrometer histogram): p50=%.2f p95=%.2f p99=%.2f; <=5ms %.2f%%, <=100ms %.2f%%%n",
                    uri, count, quantile(delta, 0.50) * 1e3, quantile(delta, 0.95) * 1e3, quantile(delta, 0.99) * 1e3,
                    100 * delta.getOrDefault(0.005, Double.NaN) / count, 100 * delta.getOrDefault(0.1, Double.NaN) / count);
        } else {
            System.out.println("server-side: no histogram buckets for " + uri + " on /actuator/prometheus");
        }
        System.exit(0);
    }

    /** Cumulative bucket counts (le in seconds → count) of http_server_requests_seconds for uri, summed over its series. */
    static Map<Double, Double> buckets(HttpClient client, String base, String key, String uri) throws Exception {
        HttpRequest req = HttpRequest.newBuilder(URI.create(base + "/actuator/prometheus"))
                .header("Authorization", "Bearer " + key).timeout(Duration.ofSeconds(30)).GET().build();
        String body = client.send(req, HttpResponse.BodyHandlers.ofString()).body();
        Map<Double, Double> sum = new TreeMap<>();
        String u = "uri=\"" + uri + "\"";
        for (String line : body.split("\n")) {
            if (!line.startsWith("http_server_requests_seconds_bucket{") || !line.contains(u)) continue;
            int le = line.indexOf("le=\"") + 4;
            String bound = line.substring(le, line.indexOf('"', le));
            double b = bound.equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(bound);
            double n = Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            sum.merge(b, n, Double::sum);
        }
        return sum;
    }

    /** The q-quantile from cumulative buckets, interpolating linearly within the bucket (histogram_quantile). */
    static double quantile(TreeMap<Double, Double> cumulative, double q) {
        double total = cumulative.lastEntry().getValue();
        double rank = q * total, lower = 0, below = 0;
        for (var e : cumulative.entrySet()) {
            if (e.getValue() >= rank) {
                if (e.getKey().isInfinite()) return lower;
                double inBucket = e.getValue() - below;
                return lower + (e.getKey() - lower) * (inBucket == 0 ? 1 : (rank - below) / inBucket);
            }
            lower = e.getKey();
            below = e.getValue();
        }
        return lower;
    }

    static double pct(long[] sorted, double p) {
        int i = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))] / 1e6;
    }
}
