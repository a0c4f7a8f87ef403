package dev.patron.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patron.ApiClient;
import dev.patron.PatronIntegrationTest;
import dev.patron.TestData;
import java.io.IOException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The sales dashboard in a real headless Chromium: two weeks of sales of two stores, the KPI cards,
 * the daily trend drawn by ECharts, the table by counter, both languages, the ticket page and the
 * purchase panel on the member 360 page. Screenshots in {@code target/screenshots/40-*}.
 */
@PatronIntegrationTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SalesBrowserTests {

    final int port;
    final JdbcClient jdbc;
    Chromium browser;
    WebDriver driver;
    WebDriverWait wait;
    SalesPagesTests.SalesData data;

    SalesBrowserTests(@LocalServerPort int port, @Autowired JdbcClient jdbc) {
        this.port = port;
        this.jdbc = jdbc;
    }

    @BeforeAll
    void start() throws IOException {
        data = SalesPagesTests.SalesData.create(new ApiClient(port, TestData.BOOTSTRAP_API_KEY), jdbc, 21);
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
    void theDashboardDrawsKpisAndTheTrendInBothLanguages() throws IOException {
        driver.get(url("/login?lang=zh-CN"));
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("username")))
                .sendKeys("admin");
        driver.findElement(By.id("password")).sendKeys(TestData.ADMIN_PASSWORD);
        driver.findElement(By.id("login-submit")).click();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector(".page-title")));

        // through the navigation, then the first store's period
        driver.findElement(By.cssSelector("a.nav-link[href='/sales']")).click();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("kpi-cards")));
        driver.get(url("/sales?from=" + data.from + "&to=" + data.to + "&storeCode=" + data.stores.get(0)));
        waitForChart();
        assertThat(driver.findElement(By.cssSelector(".page-title")).getText()).isEqualTo("销售");
        assertThat(driver.findElement(By.id("kpi-net")).getText()).contains("净销售额", "¥");
        assertThat(driver.findElement(By.id("kpi-ipt")).getText()).contains("连带率");
        assertThat(driver.findElements(By.cssSelector("#kpi-table tbody tr"))).hasSize(1);
        browser.assertNoBrowserErrors();
        browser.screenshot("40-sales-dashboard-zh");

        // by counter, then by day, in English
        click(By.cssSelector("#group-tabs a[data-group='COUNTER']"));
        wait.until(ExpectedConditions.numberOfElementsToBe(By.cssSelector("#kpi-table tbody tr"), 2));
        driver.findElement(By.cssSelector(".lang-switch a[hreflang='en']")).click();
        wait.until(ExpectedConditions.attributeToBe(By.tagName("html"), "lang", "en"));
        waitForChart();
        assertThat(driver.findElement(By.id("kpi-table")).getText())
                .containsIgnoringCase("net sales")
                .contains("专柜 ");
        browser.screenshot("41-sales-dashboard-counters-en");
        click(By.cssSelector("#group-tabs a[data-group='DAY']"));
        wait.until(ExpectedConditions.numberOfElementsToBe(By.cssSelector("#kpi-table tbody tr"), 20));
        waitForChart();
        scrollTo(driver.findElement(By.id("kpi-table")));
        browser.screenshot("42-sales-dashboard-days-en");

        // all stores, the whole period, with the presets
        driver.get(url("/sales?from=" + data.from + "&to=" + data.to));
        waitForChart();
        browser.assertNoBrowserErrors();
        browser.screenshot("43-sales-dashboard-all-en");

        // a ticket with its return, and the member's purchase panel
        driver.get(url("/sales/tickets/" + data.returnedSale + "?lang=zh-CN"));
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("ticket-lines")));
        assertThat(driver.findElement(By.id("ticket-returns")).getText()).isNotBlank();
        browser.assertNoBrowserErrors();
        browser.screenshot("44-sales-ticket-zh");
        driver.get(url("/members/" + data.member));
        scrollTo(wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("purchase-panel"))));
        assertThat(driver.findElement(By.id("purchase-panel")).getText()).contains("购买次数", "净消费");
        assertThat(driver.findElement(By.id("facts-panel")).getText()).contains("偏好品牌");
        browser.assertNoBrowserErrors();
        browser.screenshot("45-member-purchases-zh");
    }

    private void waitForChart() {
        wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#sales-trend[data-chart-rendered]")));
    }

    private String url(String path) {
        return "http://localhost:" + port + path;
    }

    private void scrollTo(WebElement e) {
        ((JavascriptExecutor) driver)
                .executeScript("arguments[0].scrollIntoView({block: 'center', behavior: 'instant'})", e);
    }

    /** Scrolls the element to the middle of the window first (below the fold the chart would be in the way). */
    private void click(By by) {
        WebElement e = driver.findElement(by);
        scrollTo(e);
        wait.until(ExpectedConditions.elementToBeClickable(e)).click();
    }
}
