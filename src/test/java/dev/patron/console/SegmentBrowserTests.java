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
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.json.JsonMapper;

/**
 * The segment builder in a real headless Chromium, reached through the navigation: condition rows
 * and groups added with the mouse, the live preview, saving, and the detail page with its size
 * chart. The stored definition is what the clicks built. Screenshots in
 * {@code target/screenshots/80-*}.
 */
@PatronIntegrationTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SegmentBrowserTests {

    static final JsonMapper JSON = JsonMapper.builder().build();

    final int port;
    Chromium browser;
    WebDriver driver;
    WebDriverWait wait;
    ApiClient api;
    String city;

    SegmentBrowserTests(@LocalServerPort int port) {
        this.port = port;
    }

    @BeforeAll
    void start() throws IOException {
        api = new ApiClient(port, TestData.BOOTSTRAP_API_KEY);
        SalesFixtures fx = new SalesFixtures(api);
        city = TestData.unique("苏州");
        for (int i = 0; i < 3; i++) {
            long m = fx.member("浏览器分群" + i).path("id").asLong();
            api.send(
                    "PATCH",
                    "/api/v1/members/" + m,
                    JSON.writeValueAsString(Map.of("city", city, "gender", i == 0 ? "MALE" : "FEMALE")));
        }
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
    void aSegmentBuiltWithTheMouseInChinese() throws IOException {
        driver.get(url("/login?lang=zh-CN"));
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("username")))
                .sendKeys("admin");
        driver.findElement(By.id("password")).sendKeys(TestData.ADMIN_PASSWORD);
        driver.findElement(By.id("login-submit")).click();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector(".page-title")));

        driver.findElement(By.cssSelector("a.nav-link[href='/segments']")).click();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("new-segment")))
                .click();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("builder")));
        String name = TestData.unique("苏州女性");
        driver.findElement(By.id("name")).sendKeys(name);

        // condition 1: city is <city>
        driver.findElement(By.cssSelector("#builder .seg-add-condition")).click();
        new Select(rows().get(0).findElement(By.cssSelector(".seg-field"))).selectByValue("city");
        rows().get(0).findElement(By.cssSelector("input.seg-value")).sendKeys(city);
        // a nested OR group: gender is female, or at least 10 purchase days
        driver.findElements(By.cssSelector("#builder .seg-add-group")).get(0).click();
        assertThat(rows()).hasSize(2);
        driver.findElements(By.cssSelector("#builder .seg-group .seg-group .seg-add-condition"))
                .get(0)
                .click();
        new Select(rows().get(2).findElement(By.cssSelector(".seg-field"))).selectByValue("purchaseDays");
        new Select(rows().get(2).findElement(By.cssSelector(".seg-operator"))).selectByValue("gte");
        rows().get(2).findElement(By.cssSelector("input.seg-value")).sendKeys("10");

        wait.until(ExpectedConditions.textToBe(By.id("preview-count"), "2"));
        assertThat(driver.findElement(By.id("preview-sample")).getText()).contains("浏览器分群1", "137****");
        browser.assertNoBrowserErrors();
        browser.screenshot("80-segment-builder-zh");

        driver.findElement(By.cssSelector("#segment-form button[type=submit]")).click();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("segment-size")));
        assertThat(driver.findElement(By.id("segment-size")).getText()).isEqualTo("2");
        wait.until(d -> "true".equals(d.findElement(By.id("size-chart")).getDomAttribute("data-chart-rendered")));
        browser.assertNoBrowserErrors();
        browser.screenshot("81-segment-detail-zh");

        long id = Long.parseLong(driver.getCurrentUrl().replaceAll(".*/segments/(\\d+).*", "$1"));
        var stored = api.get("/api/v1/segments/" + id).json().path("definition");
        var expected = Map.of(
                "version",
                1,
                "root",
                Map.of(
                        "group",
                        "AND",
                        "items",
                        List.of(
                                Map.of("field", "city", "operator", "eq", "value", city),
                                Map.of(
                                        "group",
                                        "OR",
                                        "items",
                                        List.of(
                                                Map.of("field", "gender", "operator", "eq", "value", "FEMALE"),
                                                Map.of("field", "purchaseDays", "operator", "gte", "value", 10))))));
        assertThat(stored).isEqualTo(JSON.readTree(JSON.writeValueAsString(expected)));

        driver.get(url("/segments?q=" + java.net.URLEncoder.encode(name, java.nio.charset.StandardCharsets.UTF_8)));
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("segments-table")));
        assertThat(driver.findElement(By.id("segments-table")).getText()).contains(name, "规则分群", "2");
        browser.screenshot("82-segment-list-zh");
    }

    private String url(String path) {
        return "http://localhost:" + port + path;
    }
}
