package dev.patron.console;

import static dev.patron.sales.SalesFixtures.with;
import static org.assertj.core.api.Assertions.assertThat;

import dev.patron.ApiClient;
import dev.patron.PatronIntegrationTest;
import dev.patron.TestData;
import dev.patron.sales.SalesFixtures;
import java.io.IOException;
import java.time.Duration;
import java.time.YearMonth;
import java.time.ZoneId;
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
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * The loyalty pages in a real headless Chromium: the liability report with its ECharts chart in
 * both languages, the program settings form with an inline error, and the statement panel of the
 * member 360 page whose month picker reloads it via HTMX. Screenshots in
 * {@code target/screenshots/60-*}.
 */
@PatronIntegrationTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LoyaltyBrowserTests {

    final int port;
    Chromium browser;
    WebDriver driver;
    WebDriverWait wait;
    long member;

    LoyaltyBrowserTests(@LocalServerPort int port) {
        this.port = port;
    }

    @BeforeAll
    void start() throws IOException {
        ApiClient admin = new ApiClient(port, TestData.BOOTSTRAP_API_KEY);
        SalesFixtures fx = new SalesFixtures(admin);
        member = fx.member("浏览器积分" + TestData.unique("")).path("id").asLong();
        assertThat(admin.post("/api/v1/sales", with(fx.simpleSale(TestData.unique("T")), "memberId", member))
                        .status())
                .isEqualTo(201);
        org.awaitility.Awaitility.await()
                .atMost(Duration.ofSeconds(30))
                .until(() -> admin.get("/api/v1/members/" + member + "/points")
                                .json()
                                .path("balance")
                                .asLong()
                        == 656);
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
    void theLoyaltyPagesWorkInABrowser() throws IOException {
        driver.get(url("/login?lang=zh-CN"));
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("username")))
                .sendKeys("admin");
        driver.findElement(By.id("password")).sendKeys(TestData.ADMIN_PASSWORD);
        driver.findElement(By.id("login-submit")).click();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector(".page-title")));

        // through the navigation
        driver.findElement(By.cssSelector("a.nav-link[href='/loyalty/liability']"))
                .click();
        wait.until(
                ExpectedConditions.presenceOfElementLocated(By.cssSelector("#liability-chart[data-chart-rendered]")));
        assertThat(driver.findElement(By.cssSelector(".page-title")).getText()).isEqualTo("积分负债");
        assertThat(driver.findElement(By.id("liability-cards")).getText()).contains("未兑换积分", "兑换率");
        assertThat(driver.findElements(By.cssSelector("#expiry-table tbody tr")))
                .hasSize(12);
        browser.assertNoBrowserErrors();
        browser.screenshot("60-loyalty-liability-zh");

        driver.get(url("/loyalty/liability?lang=en"));
        wait.until(
                ExpectedConditions.presenceOfElementLocated(By.cssSelector("#liability-chart[data-chart-rendered]")));
        assertThat(driver.findElement(By.id("month-table")).getText())
                .containsIgnoringCase("earned")
                .containsIgnoringCase("redeemed");
        browser.screenshot("61-loyalty-liability-en");

        browser.assertNoBrowserErrors();
        // the program form refuses a bad value next to the field
        driver.get(url("/loyalty/program"));
        WebElement days = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("expiryWarningDays")));
        days.clear();
        days.sendKeys("0");
        WebElement save = driver.findElement(By.cssSelector("#program-form button[type='submit']"));
        ((JavascriptExecutor) driver)
                .executeScript("arguments[0].scrollIntoView({block: 'center', behavior: 'instant'});", save);
        save.click();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("#expiryWarningDays.is-invalid")));
        assertThat(driver.findElement(By.id("program-form")).getText()).contains("must be between 1 and 365 days");
        browser.screenshot("62-loyalty-program-error-en");
        // the refused form answers 400, which the browser logs: read (and so clear) the log
        assertThat(driver.manage()
                        .logs()
                        .get(org.openqa.selenium.logging.LogType.BROWSER)
                        .getAll())
                .allMatch(e -> e.getMessage().contains("/loyalty/program")
                        && e.getMessage().contains("400"));

        // the statement panel on the member page, another month via HTMX
        driver.get(url("/members/" + member));
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("statement-panel")));
        String thisMonth = YearMonth.now(ZoneId.of("Asia/Shanghai")).toString();
        WebElement month = driver.findElement(By.id("statement-month"));
        ((JavascriptExecutor) driver)
                .executeScript("arguments[0].scrollIntoView({block: 'center', behavior: 'instant'});", month);
        ((JavascriptExecutor) driver)
                .executeScript(
                        "arguments[0].value = arguments[1]; arguments[0].dispatchEvent(new Event('change', {bubbles: true}));",
                        month,
                        thisMonth);
        wait.until(ExpectedConditions.textToBe(By.id("statement-closing"), "656"));
        assertThat(driver.findElement(By.id("statement-month")).getAttribute("value"))
                .isEqualTo(thisMonth);
        browser.assertNoBrowserErrors();
        browser.screenshot("63-loyalty-statement-panel-en");
    }

    private String url(String path) {
        return "http://localhost:" + port + path;
    }
}
