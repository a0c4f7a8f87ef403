package dev.patron.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patron.ApiClient;
import dev.patron.PatronIntegrationTest;
import dev.patron.TestData;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * The analytics dashboards in a real headless Chromium: the index reached through the navigation,
 * then every dashboard, waiting until each of its ECharts canvases has rendered. Screenshots in
 * {@code target/screenshots/80-*}.
 */
@PatronIntegrationTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AnalyticsBrowserTests {

    final int port;
    AnalyticsData data;
    Chromium browser;
    WebDriver driver;
    WebDriverWait wait;

    AnalyticsBrowserTests(@LocalServerPort int port) {
        this.port = port;
    }

    @BeforeAll
    void start() throws IOException {
        data = AnalyticsData.create(new ApiClient(port, TestData.BOOTSTRAP_API_KEY));
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
    void everyDashboardRendersItsCharts() throws IOException {
        driver.get(url("/login?lang=zh-CN"));
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("username")))
                .sendKeys("admin");
        driver.findElement(By.id("password")).sendKeys(TestData.ADMIN_PASSWORD);
        driver.findElement(By.id("login-submit")).click();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector(".page-title")));

        driver.findElement(By.cssSelector("a.nav-link[href='/analytics']")).click();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("dashboards")));
        assertThat(driver.findElement(By.cssSelector(".page-title")).getText()).isEqualTo("分析看板");
        browser.screenshot("80-analytics-index-zh");

        String store = "?storeCode=" + data.fx.store;
        int n = 81;
        for (String page : List.of("structure", "customers", "behaviour", "cohorts")) {
            driver.get(url("/analytics/" + page + store));
            List<WebElement> charts =
                    wait.until(ExpectedConditions.presenceOfAllElementsLocatedBy(By.cssSelector(".analytics-chart")));
            for (WebElement chart : charts) {
                wait.until(d -> "true".equals(chart.getDomAttribute("data-chart-rendered")));
                assertThat(chart.findElements(By.tagName("canvas"))).as(page).isNotEmpty();
            }
            browser.assertNoBrowserErrors();
            browser.screenshot((n++) + "-analytics-" + page + "-zh");
        }
    }

    private String url(String path) {
        return "http://localhost:" + port + path;
    }
}
