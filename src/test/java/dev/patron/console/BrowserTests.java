package dev.patron.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patron.PatronIntegrationTest;
import dev.patron.TestData;
import dev.patron.organization.CounterCommand;
import dev.patron.organization.OrganizationManagement;
import dev.patron.organization.RegionCommand;
import dev.patron.organization.StoreCommand;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * The console in a real headless Chromium (the Debian {@code chromium} and {@code chromedriver}
 * packages; Selenium Manager never downloads anything): sign in as admin, see the home page in
 * Chinese and in English, create a store through the form after fixing its validation errors, and
 * find it with the live search. Screenshots go to {@code target/screenshots}.
 */
@PatronIntegrationTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BrowserTests {

    final int port;
    final OrganizationManagement organization;
    WebDriver driver;
    WebDriverWait wait;
    Chromium browser;

    BrowserTests(@LocalServerPort int port, @Autowired OrganizationManagement organization) {
        this.port = port;
        this.organization = organization;
    }

    @BeforeAll
    void startBrowser() throws IOException {
        browser = Chromium.start();
        driver = browser.driver();
        wait = browser.waiting();
    }

    @AfterAll
    void stopBrowser() {
        if (browser != null) {
            browser.close();
        }
    }

    @Test
    void adminSignsInSeesTheHomePageInBothLanguagesAndCreatesAStore() throws IOException {
        String region = organization
                .createRegion(new RegionCommand(TestData.unique("RG"), "华南"))
                .code();
        String[] cities = {"广州", "深圳", "佛山"};
        for (int i = 0; i < cities.length; i++) {
            String store = organization
                    .createStore(new StoreCommand(
                            TestData.unique("ST"),
                            "阳光百货" + cities[i] + "店",
                            region,
                            null,
                            cities[i],
                            null,
                            null,
                            "Asia/Shanghai",
                            null,
                            "ACTIVE"))
                    .code();
            for (int c = 0; c <= i; c++) {
                organization.createCounter(new CounterCommand(
                        TestData.unique("CT"),
                        "专柜 " + (c + 1),
                        store,
                        "广州测试贸易有限公司",
                        null,
                        (c + 1) + "F",
                        List.of(),
                        "ACTIVE"));
            }
        }

        // the login page, in Chinese
        driver.get(url("/login?lang=zh-CN"));
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("username")));
        assertThat(driver.findElement(By.tagName("h1")).getText()).isEqualTo("登录您的账号");
        browser.screenshot("01-login-zh");

        driver.findElement(By.id("username")).sendKeys("admin");
        driver.findElement(By.id("password")).sendKeys(TestData.ADMIN_PASSWORD);
        driver.findElement(By.id("login-submit")).click();

        // home in Chinese, with live counts and the charts drawn
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("counts")));
        assertThat(driver.findElement(By.cssSelector("html")).getDomAttribute("lang"))
                .isEqualTo("zh-CN");
        assertThat(driver.findElement(By.cssSelector(".page-title")).getText()).startsWith("欢迎");
        assertThat(driver.findElement(By.id("count-stores")).getText()).contains("门店");
        waitForChart("chart-counters");
        waitForChart("chart-roles");
        browser.assertNoBrowserErrors();
        browser.screenshot("02-home-zh");

        // home in English through the language switch
        driver.findElement(By.cssSelector(".lang-switch a[hreflang='en']")).click();
        wait.until(ExpectedConditions.attributeToBe(By.tagName("html"), "lang", "en"));
        assertThat(driver.findElement(By.cssSelector(".page-title")).getText()).startsWith("Welcome");
        assertThat(driver.findElement(By.id("count-counters")).getText()).contains("Counters");
        waitForChart("chart-counters");
        browser.screenshot("03-home-en");

        // the store form: first sent with mistakes, which come back next to the fields
        driver.findElement(By.cssSelector("a.nav-link[href='/stores']")).click();
        wait.until(ExpectedConditions.elementToBeClickable(By.id("new-store"))).click();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("store-form")));
        driver.findElement(By.id("code")).sendKeys("bad code!");
        driver.findElement(By.id("phone")).sendKeys("call me");
        driver.findElement(By.cssSelector("#store-form button[type='submit']")).click();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("#code.is-invalid")));
        assertThat(feedbackOf("code")).contains("must be 1-32 letters");
        assertThat(feedbackOf("name")).isEqualTo("must not be empty");
        assertThat(feedbackOf("regionCode")).isEqualTo("must not be empty");
        assertThat(feedbackOf("phone")).isEqualTo("is not a valid phone number");
        browser.screenshot("04-store-form-errors-en");
        driver.manage().logs().get(LogType.BROWSER); // drained: the form answered 400 on purpose

        // corrected and saved: the store's page opens with a confirmation
        String code = TestData.unique("ST");
        replace("code", code);
        replace("name", "深圳万象城店");
        replace("phone", "0755-8888 6666");
        replace("city", "深圳");
        new Select(driver.findElement(By.id("regionCode"))).selectByValue(region);
        driver.findElement(By.cssSelector("#store-form button[type='submit']")).click();
        wait.until(ExpectedConditions.textToBe(By.id("store-code"), code));
        assertThat(driver.findElement(By.cssSelector(".alert-success")).getText())
                .contains("Store " + code + " has been saved.");
        browser.screenshot("05-store-created-en");

        // found with the live search of the store list
        driver.findElement(By.cssSelector("a.nav-link[href='/stores']")).click();
        WebElement search = wait.until(ExpectedConditions.visibilityOfElementLocated(By.name("q")));
        search.sendKeys(code);
        wait.until(ExpectedConditions.numberOfElementsToBe(By.cssSelector("#results tbody tr"), 1));
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector("#results tbody"), "深圳万象城店"));
        wait.until(ExpectedConditions.urlContains("q=" + code)); // the search is kept in the address (history, reload)
        browser.screenshot("06-store-search-en");

        // the same list in Chinese
        driver.findElement(By.cssSelector(".lang-switch a[hreflang='zh-CN']")).click();
        wait.until(ExpectedConditions.attributeToBe(By.tagName("html"), "lang", "zh-CN"));
        assertThat(driver.getCurrentUrl())
                .as("the search survives the language switch")
                .contains("q=" + code);
        assertThat(driver.findElements(By.cssSelector("#results tbody tr"))).hasSize(1);
        assertThat(driver.findElement(By.cssSelector("#results tbody")).getText())
                .contains(code, "营业中");
        browser.screenshot("07-store-list-zh");
        browser.assertNoBrowserErrors();
    }

    @Test
    void loginPageFitsAPhoneScreen() throws IOException {
        Dimension desktop = driver.manage().window().getSize();
        try {
            driver.manage().window().setSize(new Dimension(390, 844));
            driver.get(url("/login?lang=zh-CN&error=bad"));
            WebElement error = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("login-error")));
            assertThat(error.getText()).isEqualTo("用户名或密码不正确。");
            WebElement submit = driver.findElement(By.id("login-submit"));
            assertThat(submit.getRect().getX() + submit.getRect().getWidth()).isLessThanOrEqualTo(390);
            browser.screenshot("08-login-phone-zh");
        } finally {
            driver.manage().window().setSize(desktop);
        }
    }

    /** ECharts has drawn the chart (after its animation), so the screenshot shows it complete. */
    private void waitForChart(String id) {
        wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#" + id + "[data-chart-rendered]")));
    }

    private String feedbackOf(String field) {
        return driver.findElement(By.id(field))
                .findElement(By.xpath("ancestor::div[contains(@class,'mb-3')][1]"))
                .findElement(By.className("invalid-feedback"))
                .getText();
    }

    private void replace(String field, String value) {
        WebElement input = driver.findElement(By.id(field));
        input.clear();
        input.sendKeys(value);
    }

    private String url(String path) {
        return "http://localhost:" + port + path;
    }
}
