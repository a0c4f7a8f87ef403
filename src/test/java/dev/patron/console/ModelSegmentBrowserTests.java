package dev.patron.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patron.PatronIntegrationTest;
import dev.patron.TestData;
import dev.patron.insights.CdnowSample;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The segment builder's model conditions in a real headless Chromium on the fitted CDNOW model:
 * P(alive) and CLV rows picked from the "Models" group, an out-of-range P(alive) marked inline and
 * named in the preview, then the preview count equal to the members the published value view
 * selects. Screenshot {@code target/screenshots/86-segment-model-conditions}.
 */
@PatronIntegrationTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ModelSegmentBrowserTests {

    final int port;
    Chromium browser;
    WebDriver driver;
    WebDriverWait wait;

    @Autowired
    JdbcClient jdbc;

    ModelSegmentBrowserTests(@LocalServerPort int port) {
        this.port = port;
    }

    @BeforeAll
    void start() throws Exception {
        CdnowSample.ensureFitted(port);
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

    private List<WebElement> rows() {
        return driver.findElements(By.cssSelector("#builder .seg-row"));
    }

    @Test
    void pAliveAndClvConditionsWithInlineValidationAndPreview() throws Exception {
        driver.get("http://localhost:" + port + "/login?lang=en");
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("username")))
                .sendKeys("admin");
        driver.findElement(By.id("password")).sendKeys(TestData.ADMIN_PASSWORD);
        driver.findElement(By.id("login-submit")).click();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector(".page-title")));
        driver.get("http://localhost:" + port + "/segments/new");
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("builder")));
        driver.findElement(By.id("name")).sendKeys(TestData.unique("Slipping valuable"));

        // condition 1: P(alive) below 1.5 (out of range), condition 2: CLV at least ¥1
        driver.findElement(By.cssSelector("#builder .seg-add-condition")).click();
        Select field = new Select(rows().get(0).findElement(By.cssSelector(".seg-field")));
        assertThat(field.getOptions().stream().map(WebElement::getText))
                .contains("P(alive), 0-1", "CLV (discounted, 3 years)", "Likely to buy category");
        field.selectByValue("pAlive");
        new Select(rows().get(0).findElement(By.cssSelector(".seg-operator"))).selectByValue("lt");
        WebElement pAlive = rows().get(0).findElement(By.cssSelector("input.seg-value"));
        pAlive.sendKeys("1.5");
        assertThat(pAlive.getDomAttribute("class")).contains("is-invalid");
        driver.findElement(By.cssSelector("#builder .seg-add-condition")).click();
        new Select(rows().get(1).findElement(By.cssSelector(".seg-field"))).selectByValue("clvFen");
        new Select(rows().get(1).findElement(By.cssSelector(".seg-operator"))).selectByValue("gte");
        rows().get(1).findElement(By.cssSelector("input.seg-value")).sendKeys("1");
        wait.until(ExpectedConditions.textToBePresentInElementLocated(
                By.id("preview"), "Condition 1: the value must be a number between 0 and 1."));

        // fixed: P(alive) below 0.3
        pAlive = rows().get(0).findElement(By.cssSelector("input.seg-value"));
        pAlive.clear();
        pAlive.sendKeys("0.3");
        assertThat(pAlive.getDomAttribute("class")).doesNotContain("is-invalid");
        long expected = jdbc.sql("""
                select count(*) from insights.v_member_value v join members.v_member m on m.id = v.member_id
                where m.status = 'ACTIVE' and v.p_alive < 0.3 and v.clv_fen >= 100""").query(Long.class).single();
        wait.until(ExpectedConditions.textToBe(By.id("preview-count"), String.format("%,d", expected)));
        browser.assertNoBrowserErrors();
        browser.screenshot("86-segment-model-conditions");

        driver.findElement(By.cssSelector("#segment-form button[type=submit]")).click();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("segment-size")));
        assertThat(driver.findElement(By.id("segment-size")).getText()).isEqualTo(String.format("%,d", expected));
        assertThat(driver.findElement(By.tagName("body")).getText()).contains("P(alive), 0-1", "¥1.00");
    }
}
