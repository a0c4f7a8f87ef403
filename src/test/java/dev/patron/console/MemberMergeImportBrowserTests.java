package dev.patron.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patron.PatronIntegrationTest;
import dev.patron.TestData;
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
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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
import org.openqa.selenium.support.ui.WebDriverWait;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * The merge screen and the import wizard in a real headless Chromium (same setup as
 * {@link MemberBrowserTests}): a store manager keeps one of two members with the same phone after
 * confirming, an admin undoes it on the survivor's page, then imports a CSV with a bad row.
 */
@PatronIntegrationTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MemberMergeImportBrowserTests {

    static final String PASSWORD = "Correct-horse-battery-7";

    final int port;
    final OrganizationManagement organization;
    final StaffManagement staff;
    final MemberManagement members;
    WebDriver driver;
    WebDriverWait wait;
    Chromium browser;

    MemberMergeImportBrowserTests(
            @LocalServerPort int port,
            @Autowired OrganizationManagement organization,
            @Autowired StaffManagement staff,
            @Autowired MemberManagement members) {
        this.port = port;
        this.organization = organization;
        this.staff = staff;
        this.members = members;
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
    void aManagerMergesDuplicatesAnAdminUndoesItAndImportsACsv() throws IOException {
        String region = organization
                .createRegion(new RegionCommand(TestData.unique("RG"), "华北"))
                .code();
        String store = organization
                .createStore(new StoreCommand(
                        TestData.unique("BJ"),
                        "阳光百货 王府井店",
                        region,
                        null,
                        "北京",
                        null,
                        null,
                        "Asia/Shanghai",
                        null,
                        "ACTIVE"))
                .code();
        String manager = TestData.unique("manager");
        staff.createAccount(new StaffCommand(
                manager, "店长 老刘", null, Set.of(Role.STORE_MANAGER), false, List.of(store), PASSWORD, true));
        String admin = TestData.unique("admin");
        staff.createAccount(
                new StaffCommand(admin, "总部 管理员", null, Set.of(Role.ADMIN), true, List.of(), PASSWORD, true));
        String phone = MemberPagesIntegrationTests.phone();
        Member keep = enrol("刘德明", phone, store);
        Member other = enrol("刘德民", phone, store);

        // the store manager opens the merge screen and keeps the first member
        signIn(manager, "zh-CN");
        driver.findElement(By.cssSelector("a.nav-link[href='/members/duplicates']"))
                .click();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector(".duplicate-pair")));
        String pairSelector = ".duplicate-pair[data-pair='" + Math.min(keep.id(), other.id()) + "-"
                + Math.max(keep.id(), other.id()) + "']";
        assertThat(driver.findElement(By.cssSelector(pairSelector)).getText()).contains("手机号相同", "刘德明", "刘德民");
        browser.assertNoBrowserErrors();
        browser.screenshot("30-duplicates-zh");
        driver.findElement(By.cssSelector(pairSelector + " button[data-survivor='" + keep.id() + "']"))
                .click();
        wait.until(ExpectedConditions.alertIsPresent()).accept();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("merges")));
        assertThat(driver.getCurrentUrl()).contains("/members/" + keep.id());
        assertThat(driver.findElement(By.id("merges")).getText()).contains("已并入");

        // the admin undoes it on the survivor's page
        signIn(admin, "en");
        driver.get(url("/members/" + keep.id() + "#merges"));
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("#merges button[data-undo]")));
        browser.screenshot("31-member-merges-en");
        driver.findElement(By.cssSelector("#merges button[data-undo]")).click();
        wait.until(ExpectedConditions.alertIsPresent()).accept();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("merges"), "Undone"));
        assertThat(driver.findElements(By.cssSelector("#merges button[data-undo]")))
                .isEmpty();

        // ... and imports a CSV file with one bad row
        Path csv = Files.createTempFile("members", ".csv");
        Files.writeString(
                csv,
                "姓名,手机号,生日,城市\n孙丽," + MemberPagesIntegrationTests.phone() + ",1988-07-12,北京\n"
                        + "钱伟,12345,1979-11-30,天津\n赵雪," + MemberPagesIntegrationTests.phone() + ",,上海\n",
                StandardCharsets.UTF_8);
        driver.findElement(By.cssSelector("a.nav-link[href='/members/imports']"))
                .click();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("import-upload")));
        driver.findElement(By.id("file")).sendKeys(csv.toAbsolutePath().toString());
        browser.screenshot("32-import-upload-en");
        driver.findElement(By.cssSelector("#import-upload button[type='submit']"))
                .click();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("import-mapping")));
        assertThat(driver.findElement(By.id("import-sample")).getText()).contains("孙丽", "12345");
        WebElement skip = driver.findElement(By.id("mode-SKIP_BAD_ROWS"));
        ((JavascriptExecutor) driver)
                .executeScript("arguments[0].scrollIntoView({block: 'center', behavior: 'instant'})", skip);
        skip.click();
        browser.assertNoBrowserErrors();
        browser.screenshot("33-import-mapping-en");
        WebElement run = driver.findElement(By.id("run-import"));
        ((JavascriptExecutor) driver)
                .executeScript("arguments[0].scrollIntoView({block: 'center', behavior: 'instant'})", run);
        run.click();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("import-outcome")));
        assertThat(driver.findElement(By.id("import-outcome")).getText()).contains("2 of 3 rows");
        assertThat(driver.findElement(By.cssSelector("#results tr[data-row='3']"))
                        .getText())
                .contains("phone", "is not a valid phone number");
        browser.assertNoBrowserErrors();
        browser.screenshot("34-import-report-en");
        Files.delete(csv);
    }

    private void signIn(String username, String lang) {
        driver.manage().deleteAllCookies();
        driver.get(url("/login?lang=" + lang));
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("username")))
                .sendKeys(username);
        driver.findElement(By.id("password")).sendKeys(PASSWORD);
        driver.findElement(By.id("login-submit")).click();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("header-lookup-number")));
    }

    private Member enrol(String name, String phone, String store) {
        return members.create(
                new MemberCommand(
                        null, name, phone, null, null, null, null, null, null, null, null, null, store, null, null,
                        null, null, null, null, null, null, null, null, null, null, null, null, true),
                JoinChannel.STORE_DESK);
    }

    private String url(String path) {
        return "http://localhost:" + port + path;
    }
}
