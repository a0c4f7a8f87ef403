package dev.patron.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patron.ApiClient;
import dev.patron.PatronIntegrationTest;
import dev.patron.TestData;
import dev.patron.sales.SalesFixtures;
import dev.patron.shared.security.Role;
import java.io.IOException;
import java.time.Duration;
import java.time.LocalDate;
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

/**
 * A campaign sent by SMS (log-only gateway) through the background dispatcher, then its page and
 * its results page in a real headless Chromium, reached through the navigation. Screenshots in
 * {@code target/screenshots/80-*}.
 */
@PatronIntegrationTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CampaignBrowserTests {

    final int port;
    Chromium browser;
    WebDriver driver;
    WebDriverWait wait;
    long campaign;
    ApiClient admin;
    Map<String, Object> settings;

    CampaignBrowserTests(@LocalServerPort int port) {
        this.port = port;
    }

    @BeforeAll
    void start() throws IOException {
        admin = new ApiClient(port, TestData.BOOTSTRAP_API_KEY);
        // no SMS quiet hours while this test runs, whatever the hour in Shanghai
        settings = dev.patron.campaigns.QuietHours.off(admin);
        SalesFixtures fx = new SalesFixtures(admin);
        ApiClient marketer = fx.as(Role.MARKETER);
        List<String> entries = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            var m = admin.post(
                    "/api/v1/members",
                    Map.of(
                            "name",
                            "浏览器会员" + i,
                            "phone",
                            SalesFixtures.phone(),
                            "preferredStoreCode",
                            fx.store,
                            "consents",
                            List.of(Map.of(
                                    "channel",
                                    "SMS",
                                    "purpose",
                                    "MARKETING",
                                    "granted",
                                    true,
                                    "wordingVersion",
                                    "2026-11",
                                    "source",
                                    "STORE"))));
            assertThat(m.status()).as(m.raw()).isEqualTo(201);
            entries.add("M" + m.json().path("id").asLong());
        }
        Map<String, Object> c = new HashMap<>();
        c.put("name", "周末会员日 " + TestData.unique("B"));
        c.put("kind", "MEMBER_EVENT");
        c.put("goal", "会员日到店");
        c.put("periodStart", LocalDate.now().toString());
        c.put("periodEnd", LocalDate.now().plusDays(7).toString());
        c.put("budgetFen", 50_000);
        c.put("otherCostFen", 2_000);
        c.put("channels", List.of("SMS"));
        c.put("controlPct", 25);
        c.put("bonusPoints", 0);
        c.put("templates", List.of(Map.of("channel", "SMS", "lang", "zh", "body", "{name}您好，本周六会员日全场积分翻倍，{store}恭候")));
        var created = admin.post("/api/v1/campaigns", c);
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
        browser = Chromium.start();
        driver = browser.driver();
        wait = browser.waiting();
    }

    @AfterAll
    void stop() {
        dev.patron.campaigns.QuietHours.restore(admin, settings);
        if (browser != null) {
            browser.close();
        }
    }

    @Test
    void theCampaignPageShowsLiveProgressAndTheResultsPageItsCharts() throws IOException {
        driver.get(url("/login?lang=zh-CN"));
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("username")))
                .sendKeys("admin");
        driver.findElement(By.id("password")).sendKeys(TestData.ADMIN_PASSWORD);
        driver.findElement(By.id("login-submit")).click();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector(".page-title")));

        driver.findElement(By.cssSelector("a.nav-link[href='/campaigns']")).click();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("campaigns")));
        assertThat(driver.findElement(By.cssSelector(".page-title")).getText()).isEqualTo("营销活动");
        driver.findElement(By.cssSelector("a[href='/campaigns/" + campaign + "']"))
                .click();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("progress")));
        // the background dispatcher sends; the progress card polls until it shows the result
        new WebDriverWait(driver, Duration.ofSeconds(90))
                .until(ExpectedConditions.textToBePresentInElementLocated(By.id("progress"), "已发送 9"));
        driver.navigate().refresh();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("steps"), "已完成"));
        assertThat(driver.findElement(By.id("audience-size")).getText()).contains("12 位会员", "3 位在对照组");
        browser.assertNoBrowserErrors();
        browser.screenshot("80-campaign-zh");

        driver.findElement(By.id("results-link")).click();
        wait.until(ExpectedConditions.attributeToBe(By.id("lift-chart"), "data-chart-rendered", "true"));
        assertThat(driver.findElement(By.id("groups")).getText()).contains("收件会员", "对照组");
        browser.assertNoBrowserErrors();
        browser.screenshot("81-campaign-results-zh");
    }

    private String url(String path) {
        return "http://localhost:" + port + path;
    }
}
