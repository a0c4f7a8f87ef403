// Open-loop HTTP load generator for the member benchmarks (bench/members.sh). Run with the JDK's
// single-file launcher:
//   java bench/MemberLoad.java <base-url> <api-key> <path?param=> <values-file> <rate/s> <seconds> [warmup-seconds]
//        [uri-template]   (the server-side histogram's uri; default path + "{id}" when the path ends in /)
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
        // only for the two scrapes of /actuator/prometheus; the load itself goes through Http1 below
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
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
        String uri = args.length > 7 ? args[7] : bare.endsWith("/") ? bare + "{id}" : bare;
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
        // The requests go out over plain keep-alive sockets, one per worker thread (a minimal HTTP/1.1
        // client below): java.net.http's asynchronous client needed about 2 ms of CPU per request
        // (43 % of a core at 200/s, twice Patron's own share) on the two cores it shares with
        // Patron and PostgreSQL. A request waits in the queue when every worker is busy, and that
        // wait counts in its latency (measured from the scheduled send time).
        URI target = URI.create(base);
        BlockingQueue<long[]> queue = new LinkedBlockingQueue<>();
        String[] encoded = values.stream().map(v -> URLEncoder.encode(v, StandardCharsets.UTF_8)).toArray(String[]::new);
        for (int w = 0; w < WORKERS; w++) {
            Thread t = new Thread(() -> {
                Http1 conn = new Http1(target, key);
                while (true) {
                    long[] job;
                    try {
                        job = queue.take();
                    } catch (InterruptedException e) {
                        return;
                    }
                    long due = job[0], idx = job[1];
                    String status;
                    try {
                        status = String.valueOf(conn.get(path + encoded[(int) job[2]]));
                    } catch (Exception e) {
                        conn.close();
                        status = e.getClass().getSimpleName();
                    }
                    long t1 = System.nanoTime() - due;
                    if (idx >= 0) {
                        lat[(int) idx] = t1;
                        statuses.computeIfAbsent(status, x -> new AtomicLong()).incrementAndGet();
                    }
                    done.countDown();
                }
            }, "load-" + w);
            t.setDaemon(true);
            t.start();
        }
        for (long k = 0; k < total; k++) {
            long due = start + k * periodNs;
            long wait;
            while ((wait = due - System.nanoTime()) > 0) {
                if (wait > 200_000) Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000)); else Thread.onSpinWait();
            }
            if (System.nanoTime() - due > 1_000_000) late.incrementAndGet();
            queue.add(new long[] {due, k - warmCount, random.nextInt(values.size())});
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

    /** Worker threads, each with its own keep-alive connection (LOAD_WORKERS, default 16). */
    static final int WORKERS = Integer.parseInt(System.getenv().getOrDefault("LOAD_WORKERS", "16"));

    /** A minimal HTTP/1.1 GET client on one keep-alive socket: Content-Length or chunked bodies, read and dropped. */
    static final class Http1 {
        private final URI base;
        private final String key;
        private java.net.Socket socket;
        private java.io.InputStream in;
        private java.io.OutputStream out;

        Http1(URI base, String key) {
            this.base = base;
            this.key = key;
        }

        int get(String pathAndQuery) throws java.io.IOException {
            if (socket == null) {
                socket = new java.net.Socket(base.getHost(), base.getPort());
                socket.setTcpNoDelay(true);
                socket.setSoTimeout(30_000);
                in = new java.io.BufferedInputStream(socket.getInputStream(), 16384);
                out = socket.getOutputStream();
            }
            out.write(("GET " + pathAndQuery + " HTTP/1.1\r\nHost: " + base.getHost() + ":" + base.getPort()
                    + "\r\nAuthorization: Bearer " + key + "\r\nAccept: application/json\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            String statusLine = line();
            int status = Integer.parseInt(statusLine.substring(9, 12));
            long length = -1;
            boolean chunked = false, close = false;
            for (String h; !(h = line()).isEmpty(); ) {
                String lower = h.toLowerCase(Locale.ROOT);
                if (lower.startsWith("content-length:")) length = Long.parseLong(h.substring(15).trim());
                else if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) chunked = true;
                else if (lower.startsWith("connection:") && lower.contains("close")) close = true;
            }
            if (chunked) {
                for (long n; (n = Long.parseLong(line().split(";")[0].trim(), 16)) > 0; ) {
                    skip(n);
                    line();
                }
                while (!line().isEmpty()) { }   // trailers
            } else if (length >= 0) {
                skip(length);
            } else {
                close = true;   // body until the server closes
                while (in.read() >= 0) { }
            }
            if (close) close();
            return status;
        }

        private String line() throws java.io.IOException {
            StringBuilder b = new StringBuilder();
            for (int c; (c = in.read()) != '\n'; ) {
                if (c < 0) throw new java.io.EOFException("connection closed");
                if (c != '\r') b.append((char) c);
            }
            return b.toString();
        }

        private void skip(long n) throws java.io.IOException {
            while (n > 0) {
                long k = in.skip(n);
                if (k <= 0) {
                    if (in.read() < 0) throw new java.io.EOFException("connection closed");
                    k = 1;
                }
                n -= k;
            }
        }

        void close() {
            try {
                if (socket != null) socket.close();
            } catch (java.io.IOException ignored) {
            }
            socket = null;
        }
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
