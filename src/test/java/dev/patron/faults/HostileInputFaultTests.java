package dev.patron.faults;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patron.ApiClient;
import dev.patron.PatronIntegrationTest;
import dev.patron.TestData;
import dev.patron.sales.SalesFixtures;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Malformed and hostile requests over real HTTP: the corpus in {@code src/test/resources/faults/}
 * (wrong JSON types, numbers too large for long, fractional fen, invalid UTF-8, NUL bytes, wrong
 * content types and methods), generated ones (a 20 MB body, deeply nested JSON, batches of 1,001
 * and 100,000 sales) and SQL/script injection strings in every text field. Each gets a 4xx (never a
 * 5xx), problem+json naming the field where one is at fault, and leaves no trace in sales,
 * members, the points ledger, the outbox or the audit log. Hostile text in a free-text field of an
 * otherwise valid request is data: stored verbatim, and counted as the only trace allowed.
 */
@PatronIntegrationTest
class HostileInputFaultTests {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Path CORPUS = Path.of("src/test/resources/faults");

    @LocalServerPort
    int port;

    @Autowired
    JdbcClient jdbc;

    ApiClient admin;
    SalesFixtures fx;
    long member;
    java.time.Instant started;
    final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void setUp() {
        admin = new ApiClient(port, TestData.BOOTSTRAP_API_KEY);
        fx = new SalesFixtures(admin);
        member = fx.member("恶意输入").path("id").asLong();
        started = jdbc.sql("select now()")
                .query(java.sql.Timestamp.class)
                .single()
                .toInstant();
    }

    // ------------------------------------------------------------------ traces

    /** Row counts that a refused request must leave unchanged. */
    private Map<String, Long> traces() {
        Map<String, Long> t = new LinkedHashMap<>();
        t.put("sales.sale", count("select count(*) from sales.sale"));
        t.put("members.member", count("select count(*) from members.member"));
        t.put("loyalty.entry", count("select count(*) from loyalty.entry where member_id = ?", member));
        t.put("loyalty.redemption", count("select count(*) from loyalty.redemption"));
        // events published since the test began and not delivered (a refused request must publish none)
        t.put(
                "event_publication",
                count(
                        "select count(*) from event_publication where completion_date is null and publication_date >= ?",
                        java.sql.Timestamp.from(started)));
        // and sales feed deliveries not applied yet (accepted sales' deliveries drain to zero; the
        // events themselves stay until purged)
        t.put(
                "sales.feed_delivery",
                count(
                        "select count(*) from sales.feed_delivery d join sales.feed_event e on e.id = d.event_id"
                                + " where e.recorded_at >= ?",
                        java.sql.Timestamp.from(started)));
        t.put("audit.audit_event", count("select count(*) from audit.audit_event"));
        return t;
    }

    private long count(String sql, Object... params) {
        return jdbc.sql(sql).params(params).query(Long.class).single();
    }

    // ------------------------------------------------------------------ HTTP

    record Answer(int status, String contentType, String body, JsonNode json) {
        boolean names(String field) {
            if (json == null) {
                return false;
            }
            for (JsonNode e : json.path("errors")) {
                if (field.equals(e.path("field").asString())) {
                    return true;
                }
            }
            return false;
        }
    }

    private Answer send(String method, String path, String contentType, byte[] body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .header("Authorization", "Bearer " + TestData.BOOTSTRAP_API_KEY)
                .header("Accept", "application/json")
                .header("Accept-Language", "en")
                .method(
                        method,
                        body == null
                                ? HttpRequest.BodyPublishers.noBody()
                                : HttpRequest.BodyPublishers.ofByteArray(body));
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        try {
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            String ct = r.headers().firstValue("Content-Type").orElse("");
            JsonNode json = null;
            if (ct.contains("json") && !r.body().isBlank()) {
                json = JSON.readTree(r.body());
            }
            return new Answer(r.statusCode(), ct, r.body(), json);
        } catch (IOException e) {
            // the server may close the connection after refusing an oversized body: that is a refusal too,
            // but only if it answered first; a reset without an answer fails the test
            throw new AssertionError(method + " " + path + " got no answer: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private void assertRefused(String label, Answer a, String expect) {
        String[] parts = expect.split(" ", 2);
        assertThat(a.status()).as(label + ": " + a.body()).isBetween(400, 499);
        if (!parts[0].equals("4xx")) {
            assertThat(a.status()).as(label + ": " + a.body()).isEqualTo(Integer.parseInt(parts[0]));
        }
        assertThat(a.contentType()).as(label).startsWith("application/problem+json");
        assertThat(a.body()).as(label).doesNotContain("Exception", "at dev.patron", "org.postgresql");
        if (parts.length > 1) {
            assertThat(a.names(parts[1]))
                    .as(label + " names " + parts[1] + ": " + a.body())
                    .isTrue();
        }
    }

    // ------------------------------------------------------------------ the corpus

    private byte[] substitute(byte[] body, String txn) {
        // ISO-8859-1 maps every byte to one char and back, so invalid UTF-8 survives untouched
        String s = new String(body, StandardCharsets.ISO_8859_1)
                .replace("${store}", fx.store)
                .replace("${counter}", fx.counterA)
                .replace("${brand}", fx.brandA)
                .replace("${member}", Long.toString(member))
                .replace("${txn}", txn);
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    @Test
    void everyRequestOfTheCorpusIsRefusedWithA4xxNamingTheFieldAndLeavesNoTrace() throws IOException {
        Map<String, Long> before = traces();
        List<Path> files;
        try (Stream<Path> s = Files.list(CORPUS.resolve("requests"))) {
            files = s.filter(p -> p.toString().endsWith(".case")).sorted().toList();
        }
        assertThat(files).hasSizeGreaterThanOrEqualTo(50);
        List<String> failures = new ArrayList<>();
        for (Path file : files) {
            byte[] raw = Files.readAllBytes(file);
            int split = indexOf(raw, "\n\n".getBytes(StandardCharsets.US_ASCII));
            String[] head = new String(raw, 0, split, StandardCharsets.UTF_8).split("\n");
            byte[] body = java.util.Arrays.copyOfRange(raw, split + 2, raw.length);
            String[] request = head[0].split(" ", 2);
            String contentType = null;
            String expect = null;
            for (int i = 1; i < head.length; i++) {
                if (head[i].startsWith("Content-Type: ")) {
                    contentType = head[i].substring(14);
                } else if (head[i].startsWith("Expect: ")) {
                    expect = head[i].substring(8);
                }
            }
            String method = request[0];
            boolean hasBody = contentType != null || body.length > 0;
            Answer a = send(
                    method, request[1], contentType, hasBody ? substitute(body, TestData.unique("HOSTILE")) : null);
            try {
                assertRefused(file.getFileName().toString(), a, expect);
            } catch (AssertionError e) {
                failures.add(e.getMessage());
            }
        }
        assertThat(failures).isEmpty();
        assertThat(traces()).isEqualTo(before);
    }

    private static int indexOf(byte[] data, byte[] pattern) {
        outer:
        for (int i = 0; i <= data.length - pattern.length; i++) {
            for (int j = 0; j < pattern.length; j++) {
                if (data[i + j] != pattern[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new IllegalArgumentException("no blank line after the head");
    }

    // ------------------------------------------------------------------ generated: size, depth, batches

    private Map<String, Object> minimalSale(String txn) {
        Map<String, Object> s =
                new HashMap<>(fx.sale(txn, 100, List.of(SalesFixtures.line("S", fx.counterA, fx.brandA, 1, 100, 0))));
        s.remove("occurredAt");
        return s;
    }

    @Test
    void oversizedBodiesDeepNestingAndHugeBatchesAreRefusedWithoutTrace() {
        Map<String, Long> before = traces();

        // 20 MB of JSON: 413 before anything reads it, also for the member and points endpoints
        byte[] huge = ("{\"name\":\"" + "x".repeat(20 * 1024 * 1024) + "\",\"phone\":\"13800000000\"}")
                .getBytes(StandardCharsets.UTF_8);
        for (String path : List.of("/api/v1/members", "/api/v1/sales", "/api/v1/points/redeem")) {
            Answer a = send("POST", path, "application/json", huge);
            assertRefused("20 MB to " + path, a, "413");
        }
        // the same without an API key: refused before authentication even looks at it
        Answer anonymous;
        try {
            HttpResponse<String> r = http.send(
                    HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/api/v1/sales"))
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofByteArray(huge))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            anonymous = new Answer(r.statusCode(), "", r.body(), null);
        } catch (IOException | InterruptedException e) {
            throw new AssertionError(e);
        }
        assertThat(anonymous.status()).isEqualTo(413);

        // deeply nested JSON (100,000 levels): refused as malformed, no stack overflow
        String deep = "{\"sales\":" + "[".repeat(100_000) + "]".repeat(100_000) + "}";
        assertRefused("deep nesting", send("POST", "/api/v1/sales/batch", "application/json", bytes(deep)), "400");
        String deepObject = "{\"name\":\"深\",\"phone\":\"13800000000\",\"customFields\":" + "{\"a\":".repeat(50_000)
                + "1" + "}".repeat(50_000) + "}";
        assertRefused("deep object", send("POST", "/api/v1/members", "application/json", bytes(deepObject)), "4xx");

        // 1,001 sales: one over the limit, refused naming the list
        List<Map<String, Object>> sales = new ArrayList<>();
        for (int i = 0; i < 1_001; i++) {
            sales.add(minimalSale(TestData.unique("BIG")));
        }
        Answer over = send("POST", "/api/v1/sales/batch", "application/json", json(Map.of("sales", sales)));
        assertRefused("1,001 sales", over, "400 sales");

        // 1,001 members in a batch likewise
        List<Map<String, Object>> people = new ArrayList<>();
        for (int i = 0; i < 1_001; i++) {
            people.add(Map.of("name", "批量" + i, "phone", SalesFixtures.phone()));
        }
        assertRefused(
                "1,001 members",
                send("POST", "/api/v1/members/batch", "application/json", json(Map.of("members", people))),
                "4xx");

        // 100,000 sales: refused (too large for one request)
        StringBuilder many = new StringBuilder("{\"sales\":[");
        String one = new String(json(minimalSale("X")), StandardCharsets.UTF_8);
        for (int i = 0; i < 100_000; i++) {
            many.append(i == 0 ? "" : ",").append(one.replace("\"X\"", "\"HUGE-" + i + "\""));
        }
        many.append("]}");
        Answer hundredThousand = send("POST", "/api/v1/sales/batch", "application/json", bytes(many.toString()));
        assertRefused("100,000 sales", hundredThousand, "4xx");

        assertThat(traces()).isEqualTo(before);
    }

    // ------------------------------------------------------------------ injection in every text field

    private List<String> hostileStrings() throws IOException {
        try (InputStream in = Files.newInputStream(CORPUS.resolve("injection.txt"))) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            in.transferTo(out);
            return out.toString(StandardCharsets.UTF_8)
                    .lines()
                    .filter(l -> !l.isBlank() && !l.startsWith("#"))
                    .toList();
        }
    }

    /** True when some text value anywhere in {@code node} equals {@code s} exactly. */
    private static boolean containsText(JsonNode node, String s) {
        if (node == null) {
            return false;
        }
        if (node.isString()) {
            return s.equals(node.asString());
        }
        for (JsonNode child : node) {
            if (containsText(child, s)) {
                return true;
            }
        }
        return false;
    }

    @Test
    void injectionStringsInEveryTextFieldAreRefusedOrStoredVerbatimAsData() throws IOException {
        List<String> hostile = hostileStrings();
        Map<String, Long> before = traces();
        long maxAudit = count("select coalesce(max(id), 0) from audit.audit_event");
        Set<String> acceptedSales = new HashSet<>();
        Set<String> acceptedMembers = new HashSet<>();

        List<String> saleFields = List.of(
                "storeCode",
                "posTerminal",
                "posTransactionId",
                "cashier",
                "cardNumber",
                "phone",
                "system",
                "externalId",
                "currency");
        List<String> lineFields = List.of("sku", "name", "brandCode", "categoryCode", "counterCode");
        List<String> memberFields = List.of(
                "name",
                "phone",
                "email",
                "region",
                "city",
                "occupation",
                "industry",
                "companyName",
                "taxId",
                "preferredStoreCode",
                "cardNumber");
        List<String> redeemFields = List.of("idempotencyKey", "cardNumber", "phone", "storeCode", "reference");
        List<String> returnFields = List.of(
                "storeCode",
                "posTerminal",
                "posTransactionId",
                "cashier",
                "originalStoreCode",
                "originalPosTransactionId");

        for (String evil : hostile) {
            for (String field : saleFields) {
                Map<String, Object> sale = minimalSale(TestData.unique("INJ"));
                sale.put(field, evil);
                check("sale." + field, evil, "/api/v1/sales", sale, acceptedSales);
            }
            for (String field : lineFields) {
                Map<String, Object> line = new HashMap<>(SalesFixtures.line("S", fx.counterA, fx.brandA, 1, 100, 0));
                line.put(field, evil);
                Map<String, Object> sale = minimalSale(TestData.unique("INJ"));
                sale.put("lines", List.of(line));
                check("sale.lines[0]." + field, evil, "/api/v1/sales", sale, acceptedSales);
            }
            Map<String, Object> paid = minimalSale(TestData.unique("INJ"));
            paid.put("payments", List.of(Map.of("method", "CASH", "amountFen", 100, "reference", evil)));
            check("sale.payments[0].reference", evil, "/api/v1/sales", paid, acceptedSales);
            Map<String, Object> batch = Map.of(
                    "sales", List.of(SalesFixtures.with(minimalSale(TestData.unique("INJ")), "storeCode", evil)));
            Answer b = send("POST", "/api/v1/sales/batch", "application/json", json(batch));
            assertThat(b.status()).as("batch " + evil + ": " + b.body()).isEqualTo(200);
            assertThat(b.json().path("failed").asInt()).isEqualTo(1);

            for (String field : memberFields) {
                Map<String, Object> m = new HashMap<>(Map.of("name", "注入测试", "phone", SalesFixtures.phone()));
                m.put(field, evil);
                check("member." + field, evil, "/api/v1/members", m, acceptedMembers);
            }
            for (String field : redeemFields) {
                Map<String, Object> r =
                        new HashMap<>(Map.of("idempotencyKey", TestData.unique("k"), "memberId", member, "points", 1));
                if (field.equals("cardNumber") || field.equals("phone")) {
                    r.remove("memberId");
                }
                r.put(field, evil);
                // the member has no points: a valid request is refused too (422), so nothing may change
                assertRefused("redeem." + field + " " + evil, postJson("/api/v1/points/redeem", r), "4xx");
            }
            for (String field : returnFields) {
                // at the other store, where no sale (hostile or not) exists to be returned
                Map<String, Object> r = new HashMap<>(Map.of(
                        "storeCode", fx.otherStore,
                        "posTransactionId", TestData.unique("RINJ"),
                        "businessDate", "2026-11-21",
                        "originalPosTransactionId", TestData.unique("NOPE"),
                        "lines", List.of(Map.of("lineNo", 1, "quantity", 1))));
                r.put(field, evil);
                // the original sale does not exist: refused whatever the text
                assertRefused("return." + field + " " + evil, postJson("/api/v1/returns", r), "4xx");
            }
            for (String param : List.of("phone", "card", "email", "externalId")) {
                String q = java.net.URLEncoder.encode(evil, StandardCharsets.UTF_8);
                Answer a = send(
                        "GET",
                        "/api/v1/members/lookup?" + param + "=" + q + (param.equals("externalId") ? "&system=x" : ""),
                        null,
                        null);
                assertRefused("lookup " + param + " " + evil, a, "4xx");
            }
        }
        // accepted requests are the only traces: one sale or member each, nothing else
        Map<String, Long> expected = new LinkedHashMap<>(before);
        expected.merge("sales.sale", (long) acceptedSales.size(), Long::sum);
        expected.merge("members.member", (long) acceptedMembers.size(), Long::sum);
        org.awaitility.Awaitility.await()
                .atMost(java.time.Duration.ofSeconds(30))
                .untilAsserted(() -> {
                    Map<String, Long> now = traces();
                    now.remove("audit.audit_event");
                    Map<String, Long> want = new LinkedHashMap<>(expected);
                    want.remove("audit.audit_event");
                    assertThat(now).isEqualTo(want);
                });
        // the only audit events are about the members that were accepted
        List<String> audited = jdbc.sql(
                        "select entity_type || ':' || coalesce(entity_id, '') from audit.audit_event" + " where id > ?")
                .param(maxAudit)
                .query(String.class)
                .list();
        for (String a : audited) {
            assertThat(a).as(a).startsWith("member:");
            assertThat(acceptedMembers).as(a).contains(a.substring("member:".length()));
        }
        // nothing was dropped or deleted by the strings
        assertThat(count("select count(*) from information_schema.tables where table_schema in ('sales', 'loyalty',"
                        + " 'members', 'staff', 'audit')"))
                .isGreaterThan(20);
    }

    @Test
    void hostileConsoleFormsGetA4xxPageAndLeaveNoTrace() throws Exception {
        DatabaseOutageFaultTests.Console console = new DatabaseOutageFaultTests.Console(port);
        console.login("admin", TestData.ADMIN_PASSWORD);
        Map<String, Long> before = traces();
        List<Map<String, String>> forms = List.of(
                Map.of("name", "张\u0000三", "phone", SalesFixtures.phone(), "kind", "INDIVIDUAL"),
                Map.of("name", "注入", "phone", "'; drop table members.member; --", "kind", "INDIVIDUAL"),
                Map.of("name", "长".repeat(100_000), "phone", SalesFixtures.phone(), "kind", "INDIVIDUAL"),
                Map.of("name", "日期", "phone", SalesFixtures.phone(), "birthday", "1990-13-45", "kind", "INDIVIDUAL"),
                Map.of("name", "邮件", "phone", SalesFixtures.phone(), "email", "<script>alert(1)</script>"),
                Map.of("name", "推荐", "phone", SalesFixtures.phone(), "referrerId", "99999999999999999999999"),
                Map.of("name", "\uD800", "phone", SalesFixtures.phone(), "kind", "NO_SUCH_KIND"));
        for (Map<String, String> form : forms) {
            DatabaseOutageFaultTests.Console.Page page = console.post("/members", form);
            assertThat(page.status())
                    .as(form.toString()
                            .substring(0, Math.min(200, form.toString().length())))
                    .isBetween(400, 499);
            assertThat(page.body()).doesNotContain("Exception", "at dev.patron", "org.postgresql", "<script>alert");
        }
        // a member search with hostile text: a page, escaped, never a 5xx
        for (String evil : hostileStrings()) {
            DatabaseOutageFaultTests.Console.Page list =
                    console.get("/members?q=" + java.net.URLEncoder.encode(evil, StandardCharsets.UTF_8));
            assertThat(list.status()).as(evil).isEqualTo(200);
            assertThat(list.body()).as(evil).doesNotContain("<script>alert", "<img src=x");
            DatabaseOutageFaultTests.Console.Page lookup =
                    console.get("/members/lookup?q=" + java.net.URLEncoder.encode(evil, StandardCharsets.UTF_8));
            assertThat(lookup.status()).as(evil).isLessThan(500);
        }
        // a console form without its CSRF token is refused (403), also when it is huge
        DatabaseOutageFaultTests.Console.Page noCsrf = console.postWithoutCsrf("/members", "name=x&phone=13800000000");
        assertThat(noCsrf.status()).isEqualTo(403);
        assertThat(traces()).isEqualTo(before);
    }

    /** Posts {@code body}; a 4xx must leave nothing, a 201 must have stored {@code evil} verbatim. */
    private void check(String label, String evil, String path, Map<String, Object> body, Set<String> accepted) {
        Answer a = postJson(path, body);
        assertThat(a.status()).as(label + " " + evil + ": " + a.body()).isLessThan(500);
        if (a.status() == 201) {
            assertThat(containsText(a.json(), evil))
                    .as(label + " stored verbatim: " + a.body())
                    .isTrue();
            accepted.add(a.json().path("id").asString());
        } else {
            assertRefused(label + " " + evil, a, "4xx");
        }
    }

    private Answer postJson(String path, Object body) {
        return send("POST", path, "application/json", json(body));
    }

    private static byte[] json(Object o) {
        return JSON.writeValueAsBytes(o);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
