package dev.patron.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patron.PatronIntegrationTest;
import dev.patron.TestData;
import dev.patron.console.ConsoleSession.Form;
import dev.patron.console.ConsoleSession.Page;
import dev.patron.members.JoinChannel;
import dev.patron.members.Member;
import dev.patron.members.MemberCommand;
import dev.patron.members.MemberManagement;
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
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * PRV-09 in the console: on the member 360 page, beside the consent table, a counter clerk records
 * that the member switched personalised recommendations and marketing off (with where the member
 * asked and evidence; a too-long evidence comes back inline), the page shows the new state and the
 * profiling panels as "switched off by the member"; other stores' staff and marketers cannot change
 * it (real HTTP). Screenshots {@code 90-member-personalisation-zh.png}, {@code 91-…-en.png}.
 */
@PatronIntegrationTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PersonalisationBrowserTests {

    static final String PASSWORD = "Correct-horse-battery-7";

    final int port;
    final OrganizationManagement organization;
    final StaffManagement staff;
    final MemberManagement members;
    final JdbcClient jdbc;
    String store;
    String otherStore;
    Chromium browser;
    WebDriver driver;
    WebDriverWait wait;

    PersonalisationBrowserTests(
            @LocalServerPort int port,
            @Autowired OrganizationManagement organization,
            @Autowired StaffManagement staff,
            @Autowired MemberManagement members,
            @Autowired JdbcClient jdbc) {
        this.port = port;
        this.organization = organization;
        this.staff = staff;
        this.members = members;
        this.jdbc = jdbc;
    }

    @BeforeAll
    void setUp() throws IOException {
        String region = organization
                .createRegion(new RegionCommand(TestData.unique("RG"), "华东"))
                .code();
        store = store(region, "阳光百货 徐家汇店");
        otherStore = store(region, "阳光百货 五角场店");
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
    void aCounterClerkSwitchesPersonalisationOffOnTheMemberPage() throws IOException {
        Member m = enrol("林晓雯");
        String clerk = account(Role.COUNTER_STAFF, store);
        driver.manage().deleteAllCookies();
        driver.get(url("/login?lang=zh-CN"));
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("username")))
                .sendKeys(clerk);
        driver.findElement(By.id("password")).sendKeys(PASSWORD);
        driver.findElement(By.id("login-submit")).click();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("header-lookup-number")));

        driver.get(url("/members/" + m.id()));
        WebElement state = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("personalisation-state")));
        assertThat(state.getText()).isEqualTo("允许");

        // evidence longer than the form allows (typed past maxlength by a script): the error comes back inline
        WebElement evidence = driver.findElement(By.id("personalisation-evidence"));
        ((JavascriptExecutor) driver).executeScript("arguments[0].value = 'x'.repeat(501)", evidence);
        click(driver.findElement(By.id("personalisation-toggle")));
        WebElement error = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("personalisation-error")));
        assertThat(error.getText()).contains("500");
        assertThat(driver.findElement(By.id("personalisation-state")).getText()).isEqualTo("允许");

        new Select(driver.findElement(By.id("personalisation-source"))).selectByValue("CALL_CENTER");
        driver.findElement(By.id("personalisation-evidence")).sendKeys("来电 #88 要求不再推荐");
        click(driver.findElement(By.id("personalisation-toggle")));
        wait.until(ExpectedConditions.textToBe(By.id("personalisation-state"), "会员已关闭"));
        assertThat(driver.findElement(By.id("personalisation-since")).getText()).contains("呼叫中心");
        assertThat(driver.findElement(By.id("personalisation-toggle")).getText())
                .isEqualTo("按会员要求重新开启");
        assertThat(driver.findElements(By.cssSelector("[data-panel='recommended'] [data-switched-off]")))
                .hasSize(1);
        assertThat(jdbc.sql("select no_personalisation from members.v_member where id = ?")
                        .param(m.id())
                        .query(Boolean.class)
                        .single())
                .isTrue();
        browser.assertNoBrowserErrors();
        ((JavascriptExecutor) driver)
                .executeScript(
                        "document.getElementById('consents').scrollIntoView({block: 'center', behavior: 'instant'})");
        browser.screenshot("90-member-personalisation-zh");

        driver.get(url("/members/" + m.id() + "?lang=en"));
        wait.until(ExpectedConditions.attributeToBe(By.tagName("html"), "lang", "en"));
        assertThat(driver.findElement(By.id("personalisation-state")).getText())
                .isEqualTo("Switched off by the member");
        ((JavascriptExecutor) driver)
                .executeScript(
                        "document.querySelector(\"[data-panel='recommended']\").scrollIntoView({block: 'center', behavior: 'instant'})");
        browser.screenshot("91-member-personalisation-panels-en");
    }

    @Test
    void onlyStaffWhoMayChangeTheMemberCanSwitchIt() {
        Member m = enrol("周雨");
        ConsoleSession marketer = signedIn(account(Role.MARKETER, null));
        Page page = marketer.get("/members/" + m.id());
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.body()).contains("id=\"personalisation-state\"").doesNotContain("id=\"personalisation-form\"");
        assertThat(marketer.submit("/members/" + m.id() + "/personalisation", Form.of("switchedOff", "true"))
                        .status())
                .isEqualTo(403);
        ConsoleSession elsewhere = signedIn(account(Role.COUNTER_STAFF, otherStore));
        assertThat(elsewhere
                        .submit("/members/" + m.id() + "/personalisation", Form.of("switchedOff", "true"))
                        .status())
                .isEqualTo(403);
        assertThat(members.personalisationSwitchedOff(m.id())).isFalse();

        ConsoleSession manager = signedIn(account(Role.STORE_MANAGER, store));
        Page done = manager.submit(
                "/members/" + m.id() + "/personalisation", Form.of("switchedOff", "true", "source", "STORE"));
        assertThat(done.status()).isEqualTo(302);
        assertThat(done.location()).endsWith("/members/" + m.id() + "#personalisation");
        assertThat(members.personalisationSwitchedOff(m.id())).isTrue();
        assertThat(manager.get("/members/" + m.id()).body())
                .contains("Personalised recommendations and marketing are now switched off");
        Page bad = manager.submit(
                "/members/" + m.id() + "/personalisation", Form.of("switchedOff", "false", "source", "MOON"));
        assertThat(bad.status()).isEqualTo(302);
        assertThat(manager.get("/members/" + m.id()).body()).contains("id=\"personalisation-error\"");
        assertThat(members.personalisationSwitchedOff(m.id())).isTrue();
    }

    /** Clicks after scrolling the element to the middle of the window (nothing sticky covers it there). */
    private void click(WebElement e) {
        ((JavascriptExecutor) driver)
                .executeScript("arguments[0].scrollIntoView({block: 'center', behavior: 'instant'})", e);
        e.click();
    }

    private Member enrol(String name) {
        return members.create(
                new MemberCommand(
                        null,
                        name,
                        MemberPagesIntegrationTests.phone(),
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        store,
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        null),
                JoinChannel.STORE_DESK);
    }

    private String account(Role role, String storeCode) {
        String username = TestData.unique(role.name().toLowerCase().replace('_', '.'));
        staff.createAccount(new StaffCommand(
                username,
                "个性化测试",
                null,
                Set.of(role),
                storeCode == null,
                storeCode == null ? null : List.of(storeCode),
                PASSWORD,
                true));
        return username;
    }

    private ConsoleSession signedIn(String username) {
        ConsoleSession s = new ConsoleSession(port);
        assertThat(s.login(username, PASSWORD).location()).endsWith("/");
        return s;
    }

    private String store(String region, String name) {
        return organization
                .createStore(new StoreCommand(
                        TestData.unique("PS"), name, region, null, "上海", null, null, "Asia/Shanghai", null, "ACTIVE"))
                .code();
    }

    private String url(String path) {
        return "http://localhost:" + port + path;
    }
}
