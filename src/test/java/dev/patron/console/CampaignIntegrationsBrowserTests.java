package dev.patron.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.patron.ApiClient;
import dev.patron.PatronIntegrationTest;
import dev.patron.TestData;
import dev.patron.sales.SalesFixtures;
import dev.patron.shared.security.Role;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.json.JsonMapper;

/**
 * In a real headless Chromium: the campaign integrations page (ADMIN, reached through the
 * navigation) adds a webhook endpoint with inline validation and shows its secret once; a campaign's
 * results page charts the response by lifecycle cell. Screenshots {@code target/screenshots/82-*},
 * {@code 83-*}.
 */
@PatronIntegrationTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CampaignIntegrationsBrowserTests {

    static final ZoneId SHANGHAI = ZoneId.of("Asia/Shanghai");
    static final String HEADER = "store_code,pos_transaction_id,business_date,occurred_at,pos_terminal,cashier,"
            + "card_number,kind,original_pos_transaction_id,line_no,sku,name,brand_code,category_code,counter_code,"
            + "quantity,unit_price_fen,discount_fen,amount_fen,payment_method";

    final int port;
    Chromium browser;
    WebDriver driver;
    WebDriverWait wait;
    ApiClient admin;
    SalesFixtures fx;
    long campaign;

    CampaignIntegrationsBrowserTests(@LocalServerPort int port) {
        this.port = port;
    }

    @BeforeAll
    void start() throws Exception {
        admin = new ApiClient(port, TestData.BOOTSTRAP_API_KEY);
        fx = new SalesFixtures(admin);
        ApiClient marketer = fx.as(Role.MARKETER);
        List<String> entries = new ArrayList<>();
        List<String> earlier = new ArrayList<>();
        List<String> cards = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            var m = admin.post(
                    "/api/v1/members",
                    Map.of(
                            "name",
                            "格会员" + i,
                            "phone",
                            SalesFixtures.phone(),
                            "preferredStoreCode",
                            fx.store,
                            "consents",
                            List.of(Map.of(
                                    "channel", "PHONE",
                                    "purpose", "MARKETING",
                                    "granted", true,
                                    "wordingVersion", "2026-11",
                                    "source", "STORE"))));
            assertThat(m.status()).as(m.raw()).isEqualTo(201);
            entries.add("M" + m.json().path("id").asLong());
            String card = m.json().path("cards").get(0).path("number").asString();
            cards.add(card);
            for (int k = 0; k < 1 + i % 3; k++) { // one, two or three purchase days: NEW, SECOND, OLD
                earlier.add(row(card, OffsetDateTime.now(SHANGHAI).minusDays(3 + 7L * k), 12_000 + 1_000L * i));
            }
        }
        importSales(earlier);
        List<Long> ids =
                entries.stream().map(e -> Long.parseLong(e.substring(1))).toList();
        // the cells come from the segments module once its SalesRecorded listener ran
        await().atMost(Duration.ofSeconds(60))
                .until(() -> ids.stream()
                        .allMatch(id -> admin.get("/api/v1/members/" + id + "/facts")
                                        .json()
                                        .path("rfm")
                                        .path("frequency")
                                        .asInt()
                                == 1 + ids.indexOf(id) % 3));
        Map<String, Object> c = new HashMap<>();
        c.put("name", "老客唤醒电话 " + TestData.unique("G"));
        c.put("kind", "MALL_WIDE");
        c.put("goal", "按生命周期格比较响应");
        c.put("periodStart", LocalDate.now(SHANGHAI).toString());
        c.put("periodEnd", LocalDate.now(SHANGHAI).plusDays(14).toString());
        c.put("channels", List.of("PHONE"));
        c.put("controlPct", 50);
        c.put("templates", List.of(Map.of("channel", "PHONE", "lang", "zh", "body", "{name}您好，会员日邀请您到店")));
        var created = marketer.post("/api/v1/campaigns", c);
        assertThat(created.status()).as(created.raw()).isEqualTo(201);
        campaign = created.json().path("id").asLong();
        assertThat(admin.put("/api/v1/campaigns/" + campaign + "/audience", Map.of("entries", entries))
                        .status())
                .isEqualTo(200);
        assertThat(admin.post("/api/v1/campaigns/" + campaign + "/submit", Map.of())
                        .status())
                .isEqualTo(200);
        assertThat(marketer.post("/api/v1/campaigns/" + campaign + "/approve", Map.of())
                        .status())
                .isEqualTo(200);
        assertThat(marketer.post("/api/v1/campaigns/" + campaign + "/schedule", Map.of())
                        .status())
                .isEqualTo(200);
        // the background dispatcher starts it
        await().atMost(Duration.ofSeconds(90))
                .until(() -> "FINISHED"
                        .equals(admin.get("/api/v1/campaigns/" + campaign)
                                .json()
                                .path("status")
                                .asString()));
        List<String> after = new ArrayList<>();
        for (int i = 0; i < cards.size(); i += 2) {
            after.add(row(cards.get(i), OffsetDateTime.now(SHANGHAI), 20_000 + 500L * i));
        }
        importSales(after);
        browser = Chromium.start();
        driver = browser.driver();
        wait = browser.waiting();
    }

    @AfterAll
    void stop() {
        for (var e : admin.get("/api/v1/campaigns/webhooks").json()) {
            if (e.path("url").asString().startsWith("https://hooks.example.com/")) {
                admin.post("/api/v1/campaigns/webhooks/" + e.path("id").asLong() + "/deactivate", Map.of());
            }
        }
        if (browser != null) {
            browser.close();
        }
    }

    @Test
    void theIntegrationsPageAddsAWebhookAndTheResultsPageChartsTheCells() throws IOException {
        driver.get(url("/login?lang=zh-CN"));
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("username")))
                .sendKeys("admin");
        driver.findElement(By.id("password")).sendKeys(TestData.ADMIN_PASSWORD);
        driver.findElement(By.id("login-submit")).click();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector(".page-title")));

        driver.findElement(By.cssSelector("a.nav-link[href='/campaigns/webhooks']"))
                .click();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("add-endpoint")));
        assertThat(driver.findElement(By.cssSelector(".page-title")).getText()).isEqualTo("活动集成");
        driver.findElement(By.id("url")).sendKeys("ftp://hooks.example.com/x");
        driver.findElement(By.cssSelector("#add-endpoint button[type=submit]")).click();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("#add-endpoint .invalid-feedback")));
        assertThat(driver.findElement(By.cssSelector("#add-endpoint .invalid-feedback"))
                        .getText())
                .contains("http(s)");
        // the refused form answers 400, which the browser logs: that one is expected, nothing else
        assertThat(driver.manage().logs().get(org.openqa.selenium.logging.LogType.BROWSER).getAll().stream()
                        .filter(e -> e.getLevel().intValue() >= java.util.logging.Level.SEVERE.intValue())
                        .map(org.openqa.selenium.logging.LogEntry::getMessage)
                        .toList())
                .allMatch(m -> m.contains("/campaigns/webhooks") && m.contains("400"));
        var url = driver.findElement(By.id("url"));
        url.clear();
        url.sendKeys("https://hooks.example.com/patron/" + TestData.unique("h"));
        driver.findElement(By.cssSelector("#add-endpoint input[value=SENT]")).click();
        driver.findElement(By.cssSelector("#add-endpoint input[value=RESPONDED]"))
                .click();
        driver.findElement(By.cssSelector("#add-endpoint button[type=submit]")).click();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("secret-once")));
        assertThat(driver.findElement(By.id("secret")).getText()).startsWith("whsec_");
        assertThat(driver.findElement(By.id("endpoints")).getText()).contains("hooks.example.com", "已发送", "已响应");
        browser.assertNoBrowserErrors();
        browser.screenshot("82-campaign-webhooks-zh");
        // the secret is not shown again
        driver.get(url("/campaigns/webhooks"));
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("endpoints")));
        assertThat(driver.findElements(By.id("secret"))).isEmpty();

        driver.get(url("/campaigns/" + campaign + "/results"));
        wait.until(ExpectedConditions.attributeToBe(By.id("cell-chart"), "data-chart-rendered", "true"));
        assertThat(driver.findElement(By.id("cells")).getText()).contains("活跃");
        ((org.openqa.selenium.JavascriptExecutor) driver)
                .executeScript(
                        "document.getElementById('by-cell').scrollIntoView({block: 'start', behavior: 'instant'});");
        browser.assertNoBrowserErrors();
        browser.screenshot("83-campaign-results-cells-zh");
    }

    private String row(String card, OffsetDateTime at, long fen) {
        return String.join(
                ",",
                fx.store,
                TestData.unique("T"),
                at.toLocalDate().toString(),
                at.toString(),
                "POS-1",
                "C01",
                card,
                "SALE",
                "",
                "1",
                "SKU-G",
                "羊绒围巾",
                fx.brandA,
                fx.category,
                fx.counterA,
                "1",
                String.valueOf(fen),
                "0",
                String.valueOf(fen),
                "MOBILE_PAY");
    }

    private void importSales(List<String> rows) throws Exception {
        String csv = HEADER + "\n" + String.join("\n", rows) + "\n";
        HttpResponse<String> up = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create(
                                        "http://localhost:" + port + "/api/v1/sales-imports?fileName=cells.csv"))
                                .header("Authorization", "Bearer " + TestData.BOOTSTRAP_API_KEY)
                                .header("Content-Type", "text/csv")
                                .POST(HttpRequest.BodyPublishers.ofString(csv, StandardCharsets.UTF_8))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(up.statusCode()).as(up.body()).isEqualTo(201);
        SalesFixtures.runImportToDone(
                admin,
                JsonMapper.builder().build().readTree(up.body()).path("jobId").asLong(),
                Duration.ofSeconds(60));
    }

    private String url(String path) {
        return "http://localhost:" + port + path;
    }
}
