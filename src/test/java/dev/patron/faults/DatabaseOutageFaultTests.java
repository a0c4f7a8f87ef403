package dev.patron.faults;

import static dev.patron.sales.SalesFixtures.with;
import static org.assertj.core.api.Assertions.assertThat;

import dev.patron.ApiClient;
import dev.patron.TestData;
import dev.patron.loyalty.LoyaltyManagement;
import dev.patron.sales.SalesFixtures;
import dev.patron.shared.db.EmbeddedPostgresServer;
import java.io.IOException;
import java.net.CookieManager;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.MessageSource;
import org.springframework.core.env.MapPropertySource;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.ContextConfiguration;

/**
 * The database goes away under a running application and comes back. This class has its own
 * embedded PostgreSQL (its own data directory and port; the shared test database is never touched),
 * which the test stops and starts again on the same port and files. Proves: API calls get 503
 * problem+json with Retry-After in the caller's language, console pages a 503 error page without a
 * stack trace, the health endpoint says DOWN; when the database is back the application recovers
 * by itself (no restart), and every sale a client sent while retrying is recorded exactly once.
 * A full disk is simulated the same way (PostgreSQL refuses work; see docs/RELIABILITY.md).
 */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "patron.security.admin-password=" + TestData.ADMIN_PASSWORD,
            "patron.security.bootstrap-api-key=" + TestData.BOOTSTRAP_API_KEY,
            "patron.security.login-attempts-per-ip-per-minute=1000",
            "patron.members.sign-up-per-minute=1000",
            // fail fast while the database is down; the production default is 5 s
            "patron.db.connection-timeout=1500ms",
            // deliver outbox events again within seconds, not minutes, once the database is back
            "spring.modulith.events.staleness.processing=3s",
            "spring.modulith.events.staleness.check-interval=1s",
            "patron.outbox.retry-interval=1s",
            "patron.outbox.retry-after=1s"
        })
@ContextConfiguration(initializers = DatabaseOutageFaultTests.OwnDatabase.class)
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
class DatabaseOutageFaultTests {

    /** A PostgreSQL server for this class only, on a fixed port so that it can come back on the same address. */
    static final class OwnDatabase implements ApplicationContextInitializer<ConfigurableApplicationContext> {
        static Path dir;
        static int port;
        static volatile EmbeddedPostgresServer server;

        @Override
        public void initialize(ConfigurableApplicationContext context) {
            synchronized (OwnDatabase.class) {
                if (server == null) {
                    try {
                        dir = Files.createTempDirectory("patron-outage-db");
                        try (ServerSocket s = new ServerSocket(0)) {
                            port = s.getLocalPort();
                        }
                    } catch (IOException e) {
                        throw new IllegalStateException(e);
                    }
                    server = EmbeddedPostgresServer.start(dir, port, false);
                    Runtime.getRuntime().addShutdownHook(new Thread(OwnDatabase::stop, "outage-db-stop"));
                }
            }
            context.getEnvironment()
                    .getPropertySources()
                    .addFirst(new MapPropertySource(
                            "patron-outage-db",
                            Map.of(
                                    "patron.db.url", server.jdbcUrl(),
                                    "patron.db.user", server.user(),
                                    "patron.db.password", "")));
        }

        static synchronized void stop() {
            if (server != null) {
                server.close();
                server = null;
            }
        }

        static synchronized void restart() {
            if (server == null) {
                server = EmbeddedPostgresServer.start(dir, port, false);
            }
        }
    }

    @LocalServerPort
    int port;

    @Autowired
    JdbcClient jdbc;

    @Autowired
    LoyaltyManagement loyalty;

    @Autowired
    MessageSource messages;

    private String message(String key, Locale locale) {
        return messages.getMessage(key, null, locale);
    }

    @Test
    void requestsGet503WhileTheDatabaseIsDownAndTheApplicationRecoversByItselfWithoutLosingOrDoublingSales()
            throws Exception {
        ApiClient admin = new ApiClient(port, TestData.BOOTSTRAP_API_KEY);
        ApiClient adminZh = admin.inLanguage("zh-CN");
        SalesFixtures fx = new SalesFixtures(admin);
        long member = fx.member("停库测试").path("id").asLong();
        String before = TestData.unique("OUT");
        var first = admin.post("/api/v1/sales", with(fx.simpleSale(before), "memberId", member));
        assertThat(first.status()).as(first.raw()).isEqualTo(201);
        long firstId = first.json().path("id").asLong();
        Console console = new Console(port);
        console.login("admin", TestData.ADMIN_PASSWORD);
        assertThat(console.get("/members").status()).isEqualTo(200);
        assertThat(health().statusCode()).isEqualTo(200);

        // four POS clients keep sending new sales, each retried until acknowledged, while the database goes away
        AtomicBoolean stop = new AtomicBoolean();
        Set<String> acknowledged = ConcurrentHashMap.newKeySet();
        Set<String> attempted = ConcurrentHashMap.newKeySet();
        List<String> unexpected = new CopyOnWriteArrayList<>();
        List<Integer> statuses = new CopyOnWriteArrayList<>();
        List<Thread> clients = new ArrayList<>();
        for (int c = 0; c < 4; c++) {
            int client = c;
            Thread t = new Thread(() -> {
                for (int i = 0; !stop.get(); i++) {
                    String txn = before + "-" + client + "-" + i;
                    attempted.add(txn);
                    Map<String, Object> body = with(fx.simpleSale(txn), "memberId", member);
                    while (true) {
                        ApiClient.Response r = admin.post("/api/v1/sales", body);
                        statuses.add(r.status());
                        if (r.status() == 201 || r.status() == 200) {
                            acknowledged.add(txn);
                            break;
                        }
                        if (r.status() != 503) {
                            unexpected.add(txn + " " + r.status() + " " + r.raw());
                            return;
                        }
                        if (!r.contentType().startsWith("application/problem+json")) {
                            unexpected.add(txn + " 503 as " + r.contentType());
                        }
                        sleep(200);
                    }
                }
            });
            t.start();
            clients.add(t);
        }
        Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> acknowledged.size() >= 20);
        OwnDatabase.stop();
        try {
            // the API: 503 problem+json with Retry-After, in the caller's language
            String during = TestData.unique("OUT");
            var en = admin.post("/api/v1/sales", with(fx.simpleSale(during), "memberId", member));
            assertThat(en.status()).as(en.raw()).isEqualTo(503);
            assertThat(en.contentType()).startsWith("application/problem+json");
            // "cannot be reached" once the pool has seen the refused connection, "busy" while it only
            // timed out waiting: both tell the client to retry, in its language
            assertThat(en.detail())
                    .isIn(
                            message("error.database.unavailable", Locale.ENGLISH),
                            message("error.unavailable", Locale.ENGLISH));
            var zh = adminZh.get("/api/v1/members/" + member);
            assertThat(zh.status()).as(zh.raw()).isEqualTo(503);
            assertThat(zh.detail())
                    .isIn(
                            message("error.database.unavailable", Locale.SIMPLIFIED_CHINESE),
                            message("error.unavailable", Locale.SIMPLIFIED_CHINESE));
            assertThat(zh.raw()).doesNotContain("Exception", "org.postgresql", "at dev.patron");
            var raw = rawPost(
                    "/api/v1/points/redeem", "{\"idempotencyKey\":\"x-1\",\"memberId\":" + member + ",\"points\":10}");
            assertThat(raw.statusCode()).isEqualTo(503);
            assertThat(raw.headers().firstValue("Retry-After")).isPresent();

            // a console page: the 503 error page in the user's language, no stack trace
            Console.Page page = console.get("/members");
            assertThat(page.status()).isEqualTo(503);
            assertThat(page.body().contains(message("error.database.unavailable", Locale.ENGLISH))
                            || page.body().contains(message("error.unavailable", Locale.ENGLISH)))
                    .as(page.body())
                    .isTrue();
            assertThat(page.body()).doesNotContain("Exception", "org.postgresql", "at dev.patron", "Whitelabel");
            assertThat(page.retryAfter()).isEqualTo("5");

            // the health endpoint reports DOWN
            HttpResponse<String> health = health();
            assertThat(health.statusCode()).isEqualTo(503);
            assertThat(health.body()).contains("\"status\":\"DOWN\"");

            // the retrying clients saw only acknowledgements and 503s
            Awaitility.await()
                    .atMost(Duration.ofSeconds(30))
                    .until(() -> statuses.stream().filter(s -> s == 503).count() >= 4);
            assertThat(unexpected).isEmpty();
        } finally {
            OwnDatabase.restart();
        }

        // back: no restart of the application, the pool reconnects by itself
        Awaitility.await()
                .atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> health().statusCode() == 200);
        int ackedAtRestart = acknowledged.size();
        Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> acknowledged.size() >= ackedAtRestart + 20);
        stop.set(true);
        for (Thread t : clients) {
            t.join(60_000);
        }
        assertThat(unexpected).isEmpty();
        assertThat(statuses).isSubsetOf(200, 201, 503).contains(201, 503);
        assertThat(console.get("/members").status()).isEqualTo(200);

        // every attempted sale was acknowledged once it could be, none twice; the first is a replay
        var again = admin.post("/api/v1/sales", with(fx.simpleSale(before), "memberId", member));
        assertThat(again.status()).isEqualTo(200);
        assertThat(again.json().path("id").asLong()).isEqualTo(firstId);
        assertThat(acknowledged).containsExactlyInAnyOrderElementsOf(attempted);
        long recorded = jdbc.sql("select count(*) from sales.sale where pos_txn_id like ?")
                .param(before + "%")
                .query(Long.class)
                .single();
        assertThat(recorded).isEqualTo(attempted.size() + 1);
        assertThat(jdbc.sql("""
                        select count(*) from (select pos_txn_id from sales.sale where pos_txn_id like ?
                        group by store_id, pos_txn_id having count(*) > 1) d""").param(before + "%").query(Long.class).single()).isZero();
        // every recorded sale earns its points once, the ledger balances
        Awaitility.await()
                .atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(200))
                .untilAsserted(() -> assertThat(
                                jdbc.sql("select count(*) from loyalty.entry where member_id = ? and kind = 'EARN'")
                                        .param(member)
                                        .query(Long.class)
                                        .single())
                        .isEqualTo(recorded));
        assertThat(loyalty.verify(member)).isEmpty();
    }

    private HttpResponse<String> health() throws IOException, InterruptedException {
        return HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/actuator/health"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> rawPost(String path, String json) throws IOException, InterruptedException {
        return HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                                .header("Authorization", "Bearer " + TestData.BOOTSTRAP_API_KEY)
                                .header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString(json))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A signed-in console user (form login, session cookie, CSRF), redirects not followed. */
    static final class Console {
        private static final Pattern CSRF = Pattern.compile("name=\"_csrf\" value=\"([^\"]+)\"");
        private final HttpClient http = HttpClient.newBuilder()
                .cookieHandler(new CookieManager())
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
        private final String base;

        record Page(int status, String body, String retryAfter) {}

        Console(int port) {
            this.base = "http://localhost:" + port;
        }

        Page get(String path) throws IOException, InterruptedException {
            return send(HttpRequest.newBuilder(URI.create(base + path)).GET());
        }

        Page post(String path, Map<String, String> form) throws IOException, InterruptedException {
            String csrf = csrf(get("/account/password").body());
            StringBuilder sb = new StringBuilder("_csrf=" + URLEncoder.encode(csrf, StandardCharsets.UTF_8));
            form.forEach((k, v) -> sb.append('&')
                    .append(URLEncoder.encode(k, StandardCharsets.UTF_8))
                    .append('=')
                    .append(URLEncoder.encode(v, StandardCharsets.UTF_8)));
            return send(HttpRequest.newBuilder(URI.create(base + path))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString(sb.toString())));
        }

        Page postWithoutCsrf(String path, String encodedForm) throws IOException, InterruptedException {
            return send(HttpRequest.newBuilder(URI.create(base + path))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString(encodedForm)));
        }

        void login(String user, String password) throws IOException, InterruptedException {
            String csrf = csrf(get("/login").body());
            Page res = send(HttpRequest.newBuilder(URI.create(base + "/login"))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString("username=" + user + "&password="
                            + URLEncoder.encode(password, StandardCharsets.UTF_8) + "&_csrf="
                            + URLEncoder.encode(csrf, StandardCharsets.UTF_8))));
            assertThat(res.status()).isEqualTo(302);
        }

        private Page send(HttpRequest.Builder b) throws IOException, InterruptedException {
            HttpResponse<String> r = http.send(
                    b.header("Accept-Language", "en")
                            .header("Accept", "text/html")
                            .build(),
                    HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            return new Page(
                    r.statusCode(),
                    r.body(),
                    r.headers().firstValue("Retry-After").orElse(null));
        }

        static String csrf(String html) {
            Matcher m = CSRF.matcher(html);
            if (!m.find()) {
                throw new AssertionError("no CSRF token in:\n" + html);
            }
            return m.group(1);
        }
    }
}
