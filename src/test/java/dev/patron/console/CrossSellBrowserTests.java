package dev.patron.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patron.ApiClient;
import dev.patron.PatronIntegrationTest;
import dev.patron.TestData;
import dev.patron.insights.CrossSellFixtures;
import java.io.IOException;
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
 * The cross-sell rules page (chart, table, runs, mine form) and the "Recommended" panel of the
 * member 360 view in a real headless Chromium, in Chinese. Screenshots in
 * {@code target/screenshots/80-*}.
 */
@PatronIntegrationTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CrossSellBrowserTests {

    final int port;
    Chromium browser;
    WebDriver driver;
    WebDriverWait wait;
    CrossSellFixtures fx;

    CrossSellBrowserTests(@LocalServerPort int port) {
        this.port = port;
    }

    @BeforeAll
    void start() throws IOException {
        fx = new CrossSellFixtures(new ApiClient(port, TestData.BOOTSTRAP_API_KEY));
        fx.mine("0.1", "0.5");
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
    void theRulesPageAndTheRecommendedPanelInChinese() throws IOException {
        driver.get(url("/login?lang=zh-CN"));
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("username")))
                .sendKeys("admin");
        driver.findElement(By.id("password")).sendKeys(TestData.ADMIN_PASSWORD);
        driver.findElement(By.id("login-submit")).click();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector(".page-title")));

        driver.findElement(By.cssSelector("a.nav-link[href='/insights/rules']")).click();
        wait.until(ExpectedConditions.attributeToBe(By.id("rules-chart"), "data-chart-rendered", "true"));
        assertThat(driver.findElement(By.cssSelector(".page-title")).getText()).isEqualTo("交叉销售规则");
        String table = driver.findElement(By.id("rules-table")).getText();
        assertThat(table).contains("皮带", "手袋", "丝巾", "童装", "100.0%", "4.88");
        assertThat(driver.findElement(By.id("runs")).getText()).contains("已完成", "0.1 / 0.5");
        browser.assertNoBrowserErrors();
        browser.screenshot("80-xsell-rules-zh");

        // a bad threshold in the form: inline error, nothing started
        var support = driver.findElement(By.id("minSupport"));
        support.clear();
        support.sendKeys("2");
        driver.findElement(By.id("mine-now")).click();
        var error = wait.until(
                ExpectedConditions.visibilityOfElementLocated(By.cssSelector("#mine-form .invalid-feedback")));
        assertThat(error.getText()).contains("大于 0");
        // the refused form answers 400 on purpose; Chromium logs that as a failed load: drain it
        driver.manage().logs().get(org.openqa.selenium.logging.LogType.BROWSER);

        driver.get(url("/members/" + fx.bagOnly));
        var panel = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("xsell-panel")));
        ((JavascriptExecutor) driver)
                .executeScript("arguments[0].scrollIntoView({block: 'center', behavior: 'instant'})", panel);
        assertThat(panel.getText()).contains("皮带", "手袋", "75%", "女鞋", "中档鞋");
        browser.assertNoBrowserErrors();
        browser.screenshot("81-xsell-member-panel-zh");
    }

    private String url(String path) {
        return "http://localhost:" + port + path;
    }
}
