package dev.patron.sales;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patron.ApiClient;
import dev.patron.PatronIntegrationTest;
import dev.patron.TestData;
import dev.patron.shared.security.Role;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Store traffic over real HTTP: entry and correction, CSV import, bad input, roles and store scope. */
@PatronIntegrationTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TrafficIntegrationTests {

    final int port;
    final ApiClient admin;
    SalesFixtures fx;

    TrafficIntegrationTests(@LocalServerPort int port) {
        this.port = port;
        this.admin = new ApiClient(port, TestData.BOOTSTRAP_API_KEY);
    }

    @BeforeAll
    void stores() {
        fx = new SalesFixtures(admin);
    }

    private String traffic(String store, String date) {
        return "/api/v1/stores/" + store + "/traffic/" + date;
    }

    record Raw(int status, String body) {
        JsonNode json() {
            return JsonMapper.builder().build().readTree(body);
        }
    }

    private Raw importCsv(String key, String csv) throws Exception {
        HttpRequest req = HttpRequest.newBuilder(
                        URI.create("http://localhost:" + port + "/api/v1/store-traffic/import"))
                .header("Authorization", "Bearer " + key)
                .header("Accept-Language", "en")
                .header("Content-Type", "text/csv")
                .POST(HttpRequest.BodyPublishers.ofString(csv, StandardCharsets.UTF_8))
                .build();
        HttpResponse<String> res = HttpClient.newHttpClient().send(req, HttpResponse.BodyHandlers.ofString());
        return new Raw(res.statusCode(), res.body());
    }

    @Test
    void anAdminEntersAndCorrectsAStoreDay() {
        var first = admin.put(traffic(fx.store, "2026-11-01"), Map.of("visitors", 1200));
        assertThat(first.status()).as(first.raw()).isEqualTo(200);
        assertThat(first.json().path("source").asString()).isEqualTo("ENTERED");
        assertThat(first.json().path("storeCode").asString()).isEqualTo(fx.store);
        var again = admin.put(traffic(fx.store.toLowerCase(), "2026-11-01"), Map.of("visitors", 1300));
        assertThat(again.status()).as(again.raw()).isEqualTo(200);

        var list = admin.get("/api/v1/store-traffic?storeCode=" + fx.store + "&from=2026-11-01&to=2026-11-01");
        assertThat(list.status()).isEqualTo(200);
        assertThat(list.json()).hasSize(1);
        assertThat(list.json().get(0).path("visitors").asInt()).isEqualTo(1300);
        assertThat(list.json().get(0).path("businessDate").asString()).isEqualTo("2026-11-01");
    }

    @Test
    void badInputIsA400NamingTheField() {
        var negative = admin.put(traffic(fx.store, "2026-11-02"), Map.of("visitors", -1));
        assertThat(negative.status()).isEqualTo(400);
        assertThat(negative.fieldError("visitors")).isEqualTo("must be 0 or more");

        String tomorrow = LocalDate.now(ZoneId.of("Asia/Shanghai")).plusDays(1).toString();
        var future = admin.put(traffic(fx.store, tomorrow), Map.of("visitors", 10));
        assertThat(future.status()).isEqualTo(400);
        assertThat(future.fieldError("businessDate")).isEqualTo("must not be in the future");

        var unknown = admin.put(traffic("NO-SUCH-STORE", "2026-11-02"), Map.of("visitors", 10));
        assertThat(unknown.status()).isEqualTo(400);
        assertThat(unknown.fieldError("storeCode")).isEqualTo("Store NO-SUCH-STORE does not exist.");

        var missing = admin.put(traffic(fx.store, "2026-11-02"), Map.of());
        assertThat(missing.status()).isEqualTo(400);
        assertThat(missing.fieldError("visitors")).isNotNull();

        var zh = admin.inLanguage("zh-CN").put(traffic(fx.store, "2026-11-02"), Map.of("visitors", -5));
        assertThat(zh.fieldError("visitors")).isEqualTo("必须大于或等于 0");
    }

    @Test
    void aCsvIsImportedWholeOrNotAtAll() throws Exception {
        Raw bad = importCsv(
                TestData.BOOTSTRAP_API_KEY,
                "store_code,business_date,visitors\n" + fx.store + ",2026-10-01,800\n" + fx.otherStore
                        + ",2026-10-01,-3\nNO-SUCH,2026-10-01,5\n" + fx.store + ",2099-01-01,5\n");
        assertThat(bad.status()).isEqualTo(400);
        JsonNode errors = bad.json().path("errors");
        assertThat(errors.toString())
                .contains(
                        "\"field\":\"rows[3].visitors\"",
                        "\"field\":\"rows[4].store_code\"",
                        "\"field\":\"rows[5].business_date\"");
        assertThat(admin.get("/api/v1/store-traffic?storeCode=" + fx.store + "&from=2026-10-01&to=2026-10-01")
                        .json())
                .as("nothing written")
                .isEmpty();

        Raw ok = importCsv(
                TestData.BOOTSTRAP_API_KEY,
                "\uFEFFstore_code,business_date,visitors\n" + fx.store + ",2026-10-01,800\n" + fx.store
                        + ",2026-10-02,900\n" + fx.otherStore + ",2026-10-01,300\n");
        assertThat(ok.status()).as(ok.body()).isEqualTo(200);
        assertThat(ok.json().path("rows").asInt()).isEqualTo(3);
        assertThat(ok.json().path("stores").asInt()).isEqualTo(2);
        JsonNode days = admin.get("/api/v1/store-traffic?storeCode=" + fx.store + "&from=2026-10-01&to=2026-10-31")
                .json();
        assertThat(days).hasSize(2);
        assertThat(days.get(0).path("businessDate").asString()).isEqualTo("2026-10-02");
        assertThat(days.get(0).path("source").asString()).isEqualTo("IMPORT");
    }

    @Test
    void aStoreManagerWorksOnTheirStoresOnlyAndCounterStaffOnlyRead() throws Exception {
        ApiClient manager = fx.as(Role.STORE_MANAGER, fx.store);
        assertThat(manager.put(traffic(fx.store, "2026-09-01"), Map.of("visitors", 50))
                        .status())
                .isEqualTo(200);
        assertThat(manager.put(traffic(fx.otherStore, "2026-09-01"), Map.of("visitors", 50))
                        .status())
                .isEqualTo(403);
        assertThat(admin.put(traffic(fx.otherStore, "2026-09-01"), Map.of("visitors", 70))
                        .status())
                .isEqualTo(200);
        JsonNode mine = manager.get("/api/v1/store-traffic?from=2026-09-01&to=2026-09-01")
                .json();
        assertThat(mine.toString()).contains(fx.store).doesNotContain(fx.otherStore);
        assertThat(manager.get("/api/v1/store-traffic?storeCode=" + fx.otherStore)
                        .status())
                .isEqualTo(403);

        ApiClient staff = fx.as(Role.COUNTER_STAFF, fx.store);
        assertThat(staff.put(traffic(fx.store, "2026-09-01"), Map.of("visitors", 1))
                        .status())
                .isEqualTo(403);
        assertThat(staff.get("/api/v1/store-traffic?storeCode=" + fx.store + "&from=2026-09-01&to=2026-09-01")
                        .json()
                        .get(0)
                        .path("visitors")
                        .asInt())
                .isEqualTo(50);
    }

    @Test
    void aPeriodIsCheckedToo() {
        assertThat(admin.get("/api/v1/store-traffic?from=2026-10-02&to=2026-10-01")
                        .fieldError("from"))
                .isNotNull();
        assertThat(admin.get("/api/v1/store-traffic?storeCode=NO-SUCH").fieldError("storeCode"))
                .isEqualTo("Store NO-SUCH does not exist.");
    }
}
