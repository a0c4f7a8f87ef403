package dev.patron.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patron.ApiClient;
import dev.patron.PatronIntegrationTest;
import dev.patron.TestData;
import dev.patron.sales.SalesFixtures;
import java.io.IOException;
import java.util.List;
import java.util.Map;
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
 * The earn rules page in a real headless Chromium: the list reached through the Loyalty navigation,
 * the rule form, and the simulator's explained result with a warning, in both languages.
 * Screenshots in {@code target/screenshots/60-*}.
 */
@PatronIntegrationTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RulesBrowserTests {

    final int port;
    Chromium browser;
    WebDriver driver;
    WebDriverWait wait;
    SalesFixtures fx;
    String promo;
    String exclusion;

    RulesBrowserTests(@LocalServerPort int port) {
        this.port = port;
    }

    @BeforeAll
    void start() throws IOException {
        ApiClient admin = new ApiClient(port, TestData.BOOTSTRAP_API_KEY);
        fx = new SalesFixtures(admin);
        promo = TestData.unique("DOUBLE").replace('-', '_');
        exclusion = TestData.unique("NOPTS").replace('-', '_');
        assertThat(admin.post(
                                "/api/v1/loyalty/rules",
                                Map.of(
                                        "code", promo,
                                        "name", "双十一双倍积分",
                                        "kind", "PROMOTION_MULTIPLIER",
                                        "multiplier", 2,
                                        "validFrom", "2026-11-11T00:00:00",
                                        "validTo", "2026-11-11T23:59:00",
                                        "storeCodes", List.of(fx.store)))
                        .status())
                .isEqualTo(201);
        assertThat(admin.post(
                                "/api/v1/loyalty/rules",
                                Map.of(
                                        "code",
                                        exclusion,
                                        "name",
                                        "君度不积分",
                                        "kind",
                                        "BRAND_EXCLUSION",
                                        "brandCodes",
                                        List.of(fx.brandB),
                                        "storeCodes",
                                        List.of(fx.store)))
                        .status())
                .isEqualTo(201);
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
    void theRulesListFormAndSimulatorInBothLanguages() throws IOException {
        driver.get(url("/login?lang=zh-CN"));
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("username")))
                .sendKeys("admin");
        driver.findElement(By.id("password")).sendKeys(TestData.ADMIN_PASSWORD);
        driver.findElement(By.id("login-submit")).click();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector(".page-title")));

        driver.findElement(By.cssSelector("a.nav-link[href='/loyalty/rules']")).click();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("results")));
        assertThat(driver.findElement(By.cssSelector(".page-title")).getText()).isEqualTo("积分规则");
        driver.get(url("/loyalty/rules?q=" + promo));
        assertThat(driver.findElement(By.id("results")).getText()).contains(promo, "促销倍数");
        browser.assertNoBrowserErrors();
        browser.screenshot("60-loyalty-rules-zh");

        driver.get(url("/loyalty/rules/" + promo + "/edit"));
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("rule-form")));
        browser.assertNoBrowserErrors();
        browser.screenshot("61-loyalty-rule-form-zh");

        driver.get(url("/loyalty/rules/simulate?lang=en"));
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("simulate-form")));
        driver.findElement(By.id("storeCode")).sendKeys(fx.store);
        WebElement date = driver.findElement(By.id("businessDate"));
        ((JavascriptExecutor) driver).executeScript("arguments[0].value = '2026-11-11'", date);
        driver.findElement(By.id("lines")).sendKeys(fx.brandA + ",,45800\n" + fx.brandB + ",,19800");
        driver.findElement(By.cssSelector("#simulate-form button[type='submit']"))
                .click();
        WebElement result = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("simulation")));
        assertThat(driver.findElement(By.id("simulation-points")).getText())
                .contains("916 points because of rules", promo, exclusion);
        assertThat(driver.findElement(By.id("simulation-warnings")).getText()).contains("Line 2");
        ((JavascriptExecutor) driver)
                .executeScript("arguments[0].scrollIntoView({block: 'start', behavior: 'instant'})", result);
        browser.assertNoBrowserErrors();
        browser.screenshot("62-loyalty-rules-simulator-en");
    }

    private String url(String path) {
        return "http://localhost:" + port + path;
    }
}
