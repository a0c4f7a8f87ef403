package dev.patron.sales;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patron.ApiClient;
import dev.patron.PatronApplication;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real application in a child JVM on a durable embedded PostgreSQL, loaded with POS sales by
 * four clients and killed with SIGKILL in the middle; then started again. Proves: every sale that
 * was acknowledged (201/200) is still there, retrying any sale never records it twice, and every
 * recorded sale is delivered to an outbox listener that had not run yet when the process died.
 */
class SalesCrashTests {

    private static final String KEY = "patron_crash_test_key_0123456789abcdef";

    @TempDir
    Path dir;

    private final List<Process> processes = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (Process p : processes) {
            p.destroy();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
    }

    @Test
    void killingTheServerLosesNoAcknowledgedSaleRecordsNoneTwiceAndTheOutboxDeliversAfterRestart() throws Exception {
        int dbPort = freePort();
        int port = freePort();
        Process first = start(port, dbPort, "PT10M", dir.resolve("first.log"));
        awaitReady(port, first);
        ApiClient admin = new ApiClient(port, KEY);
        SalesFixtures fx = new SalesFixtures(admin);
        long member = fx.member("断电测试").path("id").asLong();

        Map<String, Long> acknowledged = new ConcurrentHashMap<>();
        Set<String> attempted = ConcurrentHashMap.newKeySet();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger sent = new AtomicInteger();
        List<Thread> clients = new ArrayList<>();
        for (int c = 0; c < 4; c++) {
            int client = c;
            Thread t = new Thread(() -> {
                for (int i = 0; !stop.get(); i++) {
                    String txn = "CRASH-" + client + "-" + i;
                    attempted.add(txn);
                    sent.incrementAndGet();
                    try {
                        ApiClient.Response r = admin.post("/api/v1/sales", body(fx, txn, member));
                        if (r.status() == 201 || r.status() == 200) {
                            acknowledged.put(txn, r.json().path("id").asLong());
                        }
                    } catch (RuntimeException e) {
                        return; // the server died under us
                    }
                }
            });
            t.start();
            clients.add(t);
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (acknowledged.size() < 150 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(acknowledged.size()).isGreaterThanOrEqualTo(150);
        long postmaster = Long.parseLong(
                Files.readAllLines(dir.resolve("data").resolve("pg").resolve("postmaster.pid"))
                        .get(0)
                        .trim());
        kill9(first.pid());
        kill9(postmaster); // the database dies too, as on a power cut
        first.waitFor(30, TimeUnit.SECONDS);
        stop.set(true);
        for (Thread t : clients) {
            t.join(30_000);
        }
        Map<String, Long> acked = new HashMap<>(acknowledged);

        Process second = start(port, dbPort, "PT0S", dir.resolve("second.log"));
        awaitReady(port, second);
        // every acknowledged sale survived; retrying any attempted sale never records it again
        for (String txn : attempted) {
            ApiClient.Response r = admin.post("/api/v1/sales", body(fx, txn, member));
            assertThat(r.status()).as(txn + " " + r.raw()).isIn(200, 201);
            if (acked.containsKey(txn)) {
                assertThat(r.status()).as(txn).isEqualTo(200);
                assertThat(r.json().path("id").asLong()).isEqualTo(acked.get(txn));
            }
        }
        try (Connection db =
                DriverManager.getConnection("jdbc:postgresql://localhost:" + dbPort + "/postgres", "postgres", "")) {
            assertThat(single(db, "select count(*) from sales.sale where pos_txn_id like 'CRASH-%'"))
                    .isEqualTo(attempted.size());
            assertThat(
                            single(
                                    db,
                                    "select count(*) from (select pos_txn_id from sales.sale group by store_id, pos_txn_id having count(*) > 1) d"))
                    .isZero();
            // the sales feed: sales recorded before the kill, whose listener was still waiting, are delivered now
            long recorded = attempted.size();
            long wait = System.nanoTime() + Duration.ofSeconds(120).toNanos();
            while (single(
                                    db,
                                    "select count(*) from public.crash_seen s join sales.sale x on x.id = s.sale_id where x.pos_txn_id like 'CRASH-%'")
                            < recorded
                    && System.nanoTime() < wait) {
                Thread.sleep(100);
            }
            assertThat(
                            single(
                                    db,
                                    "select count(*) from public.crash_seen s join sales.sale x on x.id = s.sale_id where x.pos_txn_id like 'CRASH-%'"))
                    .isEqualTo(recorded);
            // and every other listener of those events (loyalty, KPIs, facts, segments) completes too
            String outstanding = "select count(*) from sales.feed_delivery";
            while (single(db, outstanding) > 0 && System.nanoTime() < wait) {
                Thread.sleep(100);
            }
            assertThat(single(db, outstanding)).isZero();
        }
    }

    /** Every other sale names the member, so points accrue while the server is killed. */
    private static Map<String, Object> body(SalesFixtures fx, String txn, long member) {
        Map<String, Object> sale = fx.simpleSale(txn);
        return txn.hashCode() % 2 == 0 ? SalesFixtures.with(sale, "memberId", member) : sale;
    }

    private static long single(Connection db, String sql) throws Exception {
        try (Statement s = db.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private Process start(int port, int dbPort, String listenerDelay, Path log) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(
                        java,
                        "-Xmx512m",
                        "-XX:TieredStopAtLevel=1",
                        "-cp",
                        System.getProperty("java.class.path"),
                        PatronApplication.class.getName(),
                        "--server.port=" + port,
                        "--patron.db.data-dir=" + dir.resolve("data"),
                        "--patron.db.port=" + dbPort,
                        "--patron.security.bootstrap-api-key=" + KEY,
                        "--patron.security.admin-password=crash-test-password-1",
                        "--patron.test.crash-listener=true",
                        "--patron.test.crash-listener-delay=" + listenerDelay,
                        "--logging.level.root=WARN")
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        processes.add(p);
        return p;
    }

    private static void awaitReady(int port, Process p) throws Exception {
        HttpClient http =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + Duration.ofSeconds(180).toNanos();
        while (System.nanoTime() < deadline) {
            assertThat(p.isAlive()).as("application exited").isTrue();
            try {
                var res = http.send(
                        HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/actuator/health/readiness"))
                                .header("Authorization", "Bearer " + KEY)
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                if (res.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(250);
        }
        throw new AssertionError("application did not become ready within 180 s");
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static void kill9(long pid) throws Exception {
        Process kill =
                new ProcessBuilder("kill", "-9", Long.toString(pid)).inheritIO().start();
        assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
    }
}
