package dev.patron.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patron.PatronIntegrationTest;
import dev.patron.TestData;
import dev.patron.organization.OrganizationManagement;
import dev.patron.organization.RegionCommand;
import dev.patron.organization.StoreCommand;
import dev.patron.shared.security.Role;
import dev.patron.staff.StaffCommand;
import dev.patron.staff.StaffManagement;
import java.io.IOException;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * Issue 3's browser scenario in a real headless Chromium (same setup as {@link BrowserTests}): a
 * visitor signs up on a store's public page on a phone-sized screen, then a call-centre agent signs
 * in, types the phone number into the lookup box and lands on the member's 360 page.
 */
@PatronIntegrationTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MemberBrowserTests {

    static final String PASSWORD = "Correct-horse-battery-7";

    final int port;
    final OrganizationManagement organization;
    final StaffManagement staff;
    WebDriver driver;
    WebDriverWait wait;
    Chromium browser;

    MemberBrowserTests(
            @LocalServerPort int port,
            @Autowired OrganizationManagement organization,
            @Autowired StaffManagement staff) {
        this.port = port;
        this.organization = organization;
        this.staff = staff;
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
    void aVisitorSignsUpOnAPhoneAndAnAgentFindsThemByPhoneNumber() throws IOException {
        String region = organization
                .createRegion(new RegionCommand(TestData.unique("RG"), "华东"))
                .code();
        String store = organization
                .createStore(new StoreCommand(
                        TestData.unique("SH"),
                        "阳光百货 南京西路店",
                        region,
                        null,
                        "上海",
                        null,
                        null,
                        "Asia/Shanghai",
                        null,
                        "ACTIVE"))
                .code();
        String agent = TestData.unique("agent");
        staff.createAccount(
                new StaffCommand(agent, "呼叫中心 小周", null, Set.of(Role.AGENT), true, List.of(), PASSWORD, true));
        String phone = MemberPagesIntegrationTests.phone();

        // the visitor scans the store's QR code: the sign-up page on a phone
        Dimension desktop = driver.manage().window().getSize();
        String card;
        try {
            driver.manage().window().setSize(new Dimension(390, 844));
            driver.get(url("/join/" + store + "?lang=zh-CN"));
            wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("join-form")));
            assertThat(driver.findElement(By.tagName("h1")).getText()).isEqualTo("成为会员");
            assertThat(driver.findElement(By.id("join-store")).getText()).isEqualTo("阳光百货 南京西路店");
            assertThat(driver.findElements(By.cssSelector(".navbar-vertical")))
                    .as("no console sidebar")
                    .isEmpty();

            driver.findElement(By.id("name")).sendKeys("陈静");
            driver.findElement(By.id("phone"))
                    .sendKeys(phone.substring(0, 3) + " " + phone.substring(3, 7) + " " + phone.substring(7));
            driver.findElement(By.cssSelector("input[name='gender'][value='FEMALE']"))
                    .click();
            WebElement birthday = driver.findElement(By.id("birthday"));
            ((JavascriptExecutor) driver).executeScript("arguments[0].value = '1992-03-08'", birthday);
            driver.findElement(By.cssSelector("input[name='marketingConsents'][value='SMS']"))
                    .click();
            WebElement submit = driver.findElement(By.id("join-submit"));
            assertThat(submit.getRect().getX() + submit.getRect().getWidth())
                    .as("fits the phone's width")
                    .isLessThanOrEqualTo(390);
            assertThat(pageWidth()).as("no sideways scrolling").isLessThanOrEqualTo(390);
            browser.screenshot("20-join-phone-zh");
            ((JavascriptExecutor) driver)
                    .executeScript("arguments[0].scrollIntoView({block: 'center', behavior: 'instant'})", submit);
            browser.screenshot("20b-join-phone-consent-zh");

            submit.click();
            WebElement number = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("join-card-number")));
            card = number.getText();
            assertThat(card).matches("\\d{16}");
            assertThat(driver.findElement(By.id("join-welcome")).getText()).isEqualTo("欢迎您，陈静！");
            assertThat(pageWidth()).isLessThanOrEqualTo(390);
            browser.assertNoBrowserErrors();
            browser.screenshot("21-join-done-phone-zh");
        } finally {
            driver.manage().window().setSize(desktop);
        }

        // the agent signs in and types the number the caller gives into the top bar's lookup box
        driver.manage().deleteAllCookies();
        driver.get(url("/login?lang=zh-CN"));
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("username")))
                .sendKeys(agent);
        driver.findElement(By.id("password")).sendKeys(PASSWORD);
        driver.findElement(By.id("login-submit")).click();
        WebElement lookup = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("header-lookup-number")));
        lookup.sendKeys(phone, Keys.ENTER);

        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("profile")));
        assertThat(driver.getCurrentUrl()).matches(".*/members/\\d+$");
        assertThat(driver.findElement(By.cssSelector(".page-title")).getText()).isEqualTo("陈静");
        assertThat(driver.findElement(By.id("member-phone")).getText())
                .as("the agent sees the number")
                .isEqualTo("+86" + phone);
        assertThat(driver.findElement(By.id("cards")).getText()).contains(card, "电子卡", "正常");
        assertThat(driver.findElement(By.cssSelector("#consents tr[data-channel='SMS']"))
                        .getText())
                .contains("已同意");
        assertThat(driver.findElement(By.cssSelector("#consents tr[data-channel='PHONE']"))
                        .getText())
                .contains("已拒绝");
        assertThat(driver.findElement(By.id("profile")).getText()).contains("网站自助", "1992-03-08");
        browser.assertNoBrowserErrors();
        browser.screenshot("22-member-360-zh");

        driver.findElement(By.cssSelector(".lang-switch a[hreflang='en']")).click();
        wait.until(ExpectedConditions.attributeToBe(By.tagName("html"), "lang", "en"));
        assertThat(driver.findElement(By.id("cards")).getText()).contains(card, "Electronic", "Active");
        browser.screenshot("23-member-360-en");

        // the same member through the search page's live search, by the last digits of the phone
        driver.findElement(By.cssSelector("a.nav-link[href='/members']")).click();
        WebElement search = wait.until(ExpectedConditions.visibilityOfElementLocated(By.name("q")));
        search.sendKeys(phone.substring(3));
        wait.until(ExpectedConditions.urlContains("q=" + phone.substring(3)));
        wait.until(ExpectedConditions.numberOfElementsToBe(By.cssSelector("#results tbody tr"), 1));
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector("#results tbody"), "陈静"));
        browser.screenshot("24-member-search-en");
        browser.assertNoBrowserErrors();

        // a number nobody has: the lookup page says so next to the box
        WebElement box = driver.findElement(By.id("header-lookup-number"));
        box.sendKeys("13000000000", Keys.ENTER);
        WebElement problem = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("lookup-problem")));
        assertThat(problem.getText()).isEqualTo("No active member matches this identifier.");
        assertThat(driver.findElement(By.id("lookup-number")).getDomProperty("value"))
                .isEqualTo("13000000000");
        browser.screenshot("25-lookup-nobody-en");
        driver.manage().logs().get(LogType.BROWSER); // drained: the page answered 404 on purpose

        // the enrol form sent with a bad phone shows the problem next to the field
        driver.findElement(By.cssSelector("a.nav-link[href='/members']")).click();
        wait.until(ExpectedConditions.elementToBeClickable(By.id("new-member"))).click();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("member-form")));
        driver.findElement(By.id("name")).sendKeys("周杰");
        driver.findElement(By.id("phone")).sendKeys("12345");
        driver.findElement(By.cssSelector("#member-form button[type='submit']")).click();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("#phone.is-invalid")));
        browser.screenshot("26-member-form-errors-en");
    }

    private long pageWidth() {
        return ((Number) ((JavascriptExecutor) driver).executeScript("return document.documentElement.scrollWidth"))
                .longValue();
    }

    private String url(String path) {
        return "http://localhost:" + port + path;
    }
}
