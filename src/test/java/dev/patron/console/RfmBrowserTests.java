package dev.patron.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patron.ApiClient;
import dev.patron.PatronIntegrationTest;
import dev.patron.TestData;
import dev.patron.sales.SalesFixtures;
import java.io.IOException;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * The RFM grid page (heatmap, cells, migration) and the value pyramid in a real headless Chromium,
 * reached through the navigation after a refresh. Screenshots in {@code target/screenshots/80-*}.
 */
@PatronIntegrationTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RfmBrowserTests {

    final int port;
    Chromium browser;
    WebDriver driver;
    WebDriverWait wait;

    RfmBrowserTests(@LocalServerPort int port) {
        this.port = port;
    }

    @BeforeAll
    void start() throws IOException {
        ApiClient api = new ApiClient(port, TestData.BOOTSTRAP_API_KEY);
        // a few members in different cells: days since the last purchase × purchase days, and spend
        SalesFixtures fx = new SalesFixtures(api);
        java.time.LocalDate today = dev.patron.segments.MemberFacts.today();
        int[][] members = {{3, 1}, {5, 7}, {20, 2}, {40, 4}, {120, 1}, {150, 3}, {250, 1}, {300, 6}, {400, 1}, {500, 2}
        };
        for (int i = 0; i < members.length; i++) {
            long id = fx.member("浏览器分群" + TestData.unique("")).path("id").asLong();
            for (int k = 0; k < members[i][1]; k++) {
                java.time.LocalDate day = today.minusDays(members[i][0] + 2L * k);
                long fen = 10_000L * (i + 1);
                var res = api.post(
                        "/api/v1/sales",
                        SalesFixtures.with(
                                fx.sale(
                                        TestData.unique("B"),
                                        fen,
                                        java.util.List.of(SalesFixtures.line("S", fx.counterA, fx.brandA, 1, fen, 0))),
                                "memberId",
                                id,
                                "businessDate",
                                day.toString(),
                                "occurredAt",
                                day + "T00:00:01+08:00"));
                assertThat(res.status()).as(res.raw()).isEqualTo(201);
            }
        }
        var refresh = api.post("/api/v1/rfm/refresh", Map.of());
        assertThat(refresh.status()).as(refresh.raw()).isEqualTo(200);
        browser = Chromium.start();
        driver = browser.driver();
        wait = browser.waiting();
    }

    @AfterAll
    void stop() {
        if (browser != null) {
            browser.close();
        }
    }

    @Test
    void theGridAndThePyramidRenderTheirCharts() throws IOException {
        driver.get(url("/login?lang=zh-CN"));
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("username")))
                .sendKeys("admin");
        driver.findElement(By.id("password")).sendKeys(TestData.ADMIN_PASSWORD);
        driver.findElement(By.id("login-submit")).click();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector(".page-title")));

        driver.findElement(By.cssSelector("a.nav-link[href='/segments/rfm']")).click();
        wait.until(ExpectedConditions.attributeToBe(By.id("rfm-heatmap"), "data-chart-rendered", "true"));
        assertThat(driver.findElement(By.cssSelector(".page-title")).getText()).isEqualTo("RFM 客户生命周期矩阵");
        // the heatmap has its 4 × 4 cells (not another chart drawn on the same element)
        assertThat(((JavascriptExecutor) driver)
                        .executeScript("return window.echarts.getInstanceByDom(document.getElementById('rfm-heatmap'))"
                                + ".getOption().series[0].data.length"))
                .isEqualTo(16L);
        assertThat(driver.findElement(By.id("rfm-cells")).getText()).contains("活跃新客户", "流失粉丝客户");
        // sorting by members puts the largest cell first
        driver.findElement(By.cssSelector("#rfm-cells .table-sort[data-sort='3']"))
                .click();
        driver.findElement(By.cssSelector("#rfm-cells .table-sort[data-sort='3']"))
                .click();
        var first = driver.findElement(By.cssSelector("#rfm-cells tbody tr td:nth-child(4)"))
                .getAttribute("data-value");
        long max = driver.findElements(By.cssSelector("#rfm-cells tbody tr td:nth-child(4)")).stream()
                .mapToLong(td -> Long.parseLong(td.getAttribute("data-value")))
                .max()
                .orElseThrow();
        assertThat(Long.parseLong(first)).isEqualTo(max);
        browser.assertNoBrowserErrors();
        browser.screenshot("80-rfm-grid-zh");

        driver.findElement(By.cssSelector("a.nav-link[href='/segments/pyramid']"))
                .click();
        wait.until(ExpectedConditions.attributeToBe(By.id("pyramid-chart"), "data-chart-rendered", "true"));
        assertThat(((JavascriptExecutor) driver)
                        .executeScript(
                                "return window.echarts.getInstanceByDom(document.getElementById('pyramid-chart'))"
                                        + ".getOption().series[0].type"))
                .isEqualTo("funnel");
        var table = driver.findElement(By.id("pyramid-layers"));
        ((JavascriptExecutor) driver)
                .executeScript("arguments[0].scrollIntoView({block: 'center', behavior: 'instant'})", table);
        assertThat(table.getText()).contains("第 1 层");
        browser.assertNoBrowserErrors();
        browser.screenshot("81-value-pyramid-zh");
    }

    private String url(String path) {
        return "http://localhost:" + port + path;
    }
}
