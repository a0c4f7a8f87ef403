package dev.patron.console;

import static dev.patron.sales.SalesFixtures.line;
import static dev.patron.sales.SalesFixtures.with;
import static org.assertj.core.api.Assertions.assertThat;

import dev.patron.ApiClient;
import dev.patron.PatronIntegrationTest;
import dev.patron.TestData;
import dev.patron.sales.SalesFixtures;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
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
 * The tier settings page and the tier panel of the member 360 page in a real headless Chromium,
 * reached through the navigation. Screenshots in {@code target/screenshots/70-*}.
 */
@PatronIntegrationTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TierBrowserTests {

    final int port;
    Chromium browser;
    WebDriver driver;
    WebDriverWait wait;
    long member;

    TierBrowserTests(@LocalServerPort int port) {
        this.port = port;
    }

    @BeforeAll
    void start() throws IOException {
        ApiClient api = new ApiClient(port, TestData.BOOTSTRAP_API_KEY);
        SalesFixtures fx = new SalesFixtures(api);
        member = fx.member("浏览器等级" + TestData.unique("")).path("id").asLong();
        assertThat(api.post(
                                "/api/v1/sales",
                                with(
                                        fx.sale(
                                                TestData.unique("T"),
                                                2_600_000,
                                                List.of(line("S", fx.counterA, fx.brandA, 1, 2_600_000, 0))),
                                        "memberId",
                                        member))
                        .status())
                .isEqualTo(201);
        org.awaitility.Awaitility.await()
                .atMost(Duration.ofSeconds(30))
                .until(() -> api.get("/api/v1/members/" + member + "/tier")
                        .json()
                        .path("tier")
                        .path("code")
                        .asString()
                        .equals("FOUR_STAR"));
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
    void theSettingsPageAndTheTierPanelInChinese() throws IOException {
        driver.get(url("/login?lang=zh-CN"));
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("username")))
                .sendKeys("admin");
        driver.findElement(By.id("password")).sendKeys(TestData.ADMIN_PASSWORD);
        driver.findElement(By.id("login-submit")).click();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector(".page-title")));

        driver.findElement(By.cssSelector("a.nav-link[href='/loyalty/tiers']")).click();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("levels")));
        assertThat(driver.findElement(By.cssSelector(".page-title")).getText()).isEqualTo("会员等级");
        assertThat(driver.findElement(By.id("levels")).getText()).contains("五星会员", "¥50,000.00", "免费停车");
        browser.assertNoBrowserErrors();
        browser.screenshot("70-tier-settings-zh");

        driver.get(url("/members/" + member));
        var panel = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("tier-panel")));
        ((JavascriptExecutor) driver)
                .executeScript("arguments[0].scrollIntoView({block: 'center', behavior: 'instant'})", panel);
        assertThat(panel.getText()).contains("四星会员", "¥26,000.00", "即可升至五星会员");
        browser.assertNoBrowserErrors();
        browser.screenshot("71-member-tier-panel-zh");
    }

    private String url(String path) {
        return "http://localhost:" + port + path;
    }
}
