// Open-loop HTTP load generator for the member benchmarks (bench/members.sh). Run with the JDK's
// single-file launcher:
//   java bench/MemberLoad.java <base-url> <api-key> <path?param=> <values-file> <rate/s> <seconds> [warmup-seconds]
// e.g. java bench/MemberLoad.java http://localhost:18080 $KEY '/api/v1/members/lookup?phone=' phones.txt 200 60 10
// Sends one GET per 1/rate s on a fixed schedule (not waiting for answers, so a slow answer does
// not lower the rate), each with a random value from the file (URL-encoded) appended to the path.
// Latency is measured from the scheduled send time to the complete response body, so queueing in
// the client or the server counts. Prints p50/p95/p99/max and status counts; warm-up requests are
// sent at the same rate but not recorded.
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
        long[] ok = Arrays.stream(lat).filter(x -> x >= 0).sorted().toArray();
        double actual = ok.length / (double) seconds;
        System.out.printf(Locale.ROOT, "path=%s rate=%.0f/s seconds=%d (+%d warm-up) requests=%d (%.1f/s) late-sends(>1ms)=%d statuses=%s%n",
                path, rate, seconds, warmup, ok.length, actual, late.get(), new TreeMap<>(statuses));
        System.out.printf(Locale.ROOT, "latency ms: p50=%.2f p95=%.2f p99=%.2f p99.9=%.2f max=%.2f mean=%.2f%n",
                pct(ok, 50), pct(ok, 95), pct(ok, 99), pct(ok, 99.9), ok[ok.length - 1] / 1e6,
                Arrays.stream(ok).average().orElse(0) / 1e6);
        System.exit(0);
    }

    static double pct(long[] sorted, double p) {
        int i = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))] / 1e6;
    }
}
