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
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;

/**
 * Gift redemption in a real headless Chromium: the catalog reached through the Loyalty navigation,
 * the stock page and the desk where a clerk reserves a gift by card and hands it out. Screenshots
 * in {@code target/screenshots/70-*}.
 */
@PatronIntegrationTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GiftBrowserTests {

    final int port;
    Chromium browser;
    WebDriver driver;
    WebDriverWait wait;
    ApiClient admin;
    SalesFixtures fx;
    String gift;
    String card;
    long member;

    GiftBrowserTests(@LocalServerPort int port) {
        this.port = port;
    }

    @BeforeAll
    void start() throws IOException {
        admin = new ApiClient(port, TestData.BOOTSTRAP_API_KEY);
        fx = new SalesFixtures(admin);
        gift = TestData.unique("MUG").toUpperCase();
        assertThat(admin.post(
                                "/api/v1/loyalty/gifts",
                                Map.of(
                                        "code",
                                        gift,
                                        "nameZh",
                                        "保温杯",
                                        "nameEn",
                                        "Thermos mug",
                                        "pointsPrice",
                                        800,
                                        "cashFen",
                                        1990))
                        .status())
                .isEqualTo(201);
        admin.post(
                "/api/v1/loyalty/gifts/" + gift + "/stock",
                Map.of("storeCode", fx.store, "kind", "RECEIVE", "quantity", 12));
        JsonNode m = fx.member("王小明");
        member = m.path("id").asLong();
        card = m.path("cards").get(0).path("number").asString();
        admin.post(
                "/api/v1/points/adjustments",
                Map.of("idempotencyKey", TestData.unique("a"), "memberId", member, "points", 3000, "reason", "开卡礼"));
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
    void aClerkReservesAGiftByCardAndHandsItOut() throws IOException {
        driver.get(url("/login?lang=zh-CN"));
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("username")))
                .sendKeys("admin");
        driver.findElement(By.id("password")).sendKeys(TestData.ADMIN_PASSWORD);
        driver.findElement(By.id("login-submit")).click();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector(".page-title")));

        driver.findElement(By.cssSelector("a.nav-link[href='/loyalty/gifts']")).click();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("gifts")));
        assertThat(driver.findElement(By.cssSelector(".page-title")).getText()).isEqualTo("礼品目录");
        driver.get(url("/loyalty/gifts?q=" + gift));
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("gifts"), "保温杯"));
        browser.assertNoBrowserErrors();
        browser.screenshot("70-gift-catalog-zh");

        driver.get(url("/loyalty/gifts/" + gift + "/stock"));
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("stock")));
        assertThat(driver.findElement(By.id("stock")).getText()).contains(fx.store, "12");
        browser.screenshot("71-gift-stock-zh");

        driver.get(url("/loyalty/gifts/desk?storeCode=" + fx.store + "&member=" + card));
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("reserve-form")));
        assertThat(driver.findElement(By.id("desk-points")).getText()).contains("3000");
        new Select(driver.findElement(By.id("giftCode"))).selectByValue(gift);
        driver.findElement(By.id("quantity")).clear();
        driver.findElement(By.id("quantity")).sendKeys("2");
        driver.findElement(By.id("reserve")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("open-reservations"), gift));
        assertThat(driver.findElement(By.id("desk-points")).getText()).contains("1400");
        browser.assertNoBrowserErrors();
        browser.screenshot("72-gift-desk-zh");

        driver.findElement(By.cssSelector("#open-reservations button.btn-success"))
                .click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("open-reservations"), "没有未完成的预订"));
        JsonNode stock =
                admin.get("/api/v1/loyalty/gifts/" + gift + "/stock").json().get(0);
        assertThat(stock.path("onHand").asLong()).isEqualTo(10);
        assertThat(stock.path("reserved").asLong()).isZero();
        browser.screenshot("73-gift-desk-handed-out-zh");
    }

    private String url(String path) {
        return "http://localhost:" + port + path;
    }
}
