package dev.patron.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patron.ApiClient;
import dev.patron.PatronIntegrationTest;
import dev.patron.TestData;
import dev.patron.insights.CdnowSample;
import dev.patron.shared.security.Role;
import java.io.IOException;
import java.time.LocalDate;
import java.time.ZoneId;
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
 * The member value model page (parameters, calibration/holdout chart, history) and the churn
 * warning list in a real headless Chromium, reached through the navigation, on the CDNOW sample.
 * Screenshots in {@code target/screenshots/80-*}.
 */
@PatronIntegrationTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ValueBrowserTests {

    final int port;
    Chromium browser;
    WebDriver driver;
    WebDriverWait wait;

    ValueBrowserTests(@LocalServerPort int port) {
        this.port = port;
    }

    @BeforeAll
    void start() throws Exception {
        CdnowSample.ensureFitted(port);
        // four weekly ¥380-¥680 buyers who stopped 38-60 days ago: the list care agents would call
        CdnowSample sample = CdnowSample.load(port);
        ApiClient admin = new ApiClient(port, TestData.BOOTSTRAP_API_KEY);
        LocalDate today = LocalDate.now(ZoneId.of("Asia/Shanghai"));
        StringBuilder csv = new StringBuilder(
                "store_code,pos_transaction_id,business_date,member_id,sku,quantity,unit_price_fen\n");
        String[] names = {"王芳", "李娜", "张伟", "刘洋"};
        for (int i = 0; i < names.length; i++) {
            long member = sample.fx.member(names[i]).path("id").asLong();
            for (int k = 0; k < 15; k++) {
                csv.append(sample.fx.store)
                        .append(',')
                        .append(TestData.unique("VB"))
                        .append(',')
                        .append(today.minusDays(38 + 7L * i + (7L + i) * k))
                        .append(',')
                        .append(member)
                        .append(",BAG,1,")
                        .append(38_000 + 10_000 * i)
                        .append('\n');
            }
        }
        CdnowSample.importSales(port, admin, "browser-churn.csv", csv.toString());
        assertThat(sample.fx
                        .as(Role.ANALYST)
                        .post("/api/v1/insights/value-model/rescore", java.util.Map.of())
                        .status())
                .isEqualTo(200);
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
    void theValueModelPageDrawsTheHoldoutChart() throws IOException {
        driver.get("http://localhost:" + port + "/login?lang=en");
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("username")))
                .sendKeys("admin");
        driver.findElement(By.id("password")).sendKeys(TestData.ADMIN_PASSWORD);
        driver.findElement(By.id("login-submit")).click();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector(".page-title")));

        driver.findElement(By.cssSelector("a.nav-link[href='/insights/value']")).click();
        wait.until(ExpectedConditions.attributeToBe(By.id("value-chart"), "data-chart-rendered", "true"));
        assertThat(driver.findElement(By.cssSelector(".page-title")).getText()).isEqualTo("Member value model");
        assertThat(driver.findElement(By.id("bgnbd-params")).getText()).contains("r", "α");
        browser.assertNoBrowserErrors();
        browser.screenshot("80-value-model");
        ((org.openqa.selenium.JavascriptExecutor) driver)
                .executeScript(
                        "arguments[0].scrollIntoView({block: 'center', behavior: 'instant'})",
                        driver.findElement(By.id("value-chart")));
        browser.screenshot("80-value-model-chart");

        driver.findElement(By.cssSelector("a.nav-link[href='/insights/churn']")).click();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("churn-table")));
        assertThat(driver.findElement(By.cssSelector(".page-title")).getText()).isEqualTo("Churn warnings");
        // other tests' or demo members may rank higher by default: look at the CLV band of ours
        driver.get("http://localhost:" + port + "/insights/churn?minClv=1000&size=50");
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("churn-table")));
        assertThat(driver.findElement(By.id("churn-table")).getText()).contains("No purchase for", "usually every");
        assertThat(driver.findElement(By.cssSelector(".page-title")).getText()).isEqualTo("Churn warnings");
        browser.assertNoBrowserErrors();
        browser.screenshot("81-churn-warnings");
    }
}
