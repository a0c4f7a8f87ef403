package dev.patron.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patron.PatronIntegrationTest;
import dev.patron.TestData;
import dev.patron.console.ConsoleSession.Form;
import dev.patron.console.ConsoleSession.Page;
import dev.patron.organization.OrganizationManagement;
import dev.patron.organization.RegionCommand;
import dev.patron.organization.StoreCommand;
import dev.patron.shared.security.Role;
import dev.patron.staff.StaffAccount;
import dev.patron.staff.StaffCommand;
import dev.patron.staff.StaffManagement;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * The console's pages over real HTTP against the running application: sign-in and lock-out, what
 * each role may open, store scope, form validation, CSRF, error pages and HTMX fragments.
 */
@PatronIntegrationTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConsolePagesIntegrationTests {

    static final String PASSWORD = "Correct-horse-battery-7";

    final int port;
    final OrganizationManagement organization;
    final StaffManagement staff;
    String region;
    String storeA;
    String storeB;
    final Map<Role, String> users = new EnumMap<>(Role.class);

    ConsolePagesIntegrationTests(
            @LocalServerPort int port,
            @Autowired OrganizationManagement organization,
            @Autowired StaffManagement staff) {
        this.port = port;
        this.organization = organization;
        this.staff = staff;
    }

    @BeforeAll
    void createOrganisationAndOneAccountPerRole() {
        region = organization
                .createRegion(new RegionCommand(TestData.unique("RG"), "华东测试"))
                .code();
        storeA = createStore("STA");
        storeB = createStore("STB");
        for (Role role : Role.values()) {
            // store managers and counter staff work in store A only; the others see every store
            boolean limited = role == Role.STORE_MANAGER || role == Role.COUNTER_STAFF;
            users.put(role, createAccount(role, limited ? List.of(storeA) : null));
        }
    }

    // ------------------------------------------------------------------ sign-in

    @Test
    void signingInWithTheCsrfTokenOpensTheHomePage() {
        ConsoleSession s = new ConsoleSession(port);
        Page login = s.login(users.get(Role.ADMIN), PASSWORD);
        assertThat(login.status()).isEqualTo(302);
        assertThat(login.location()).endsWith("/");

        Page home = s.get("/");
        assertThat(home.status()).isEqualTo(200);
        assertThat(home.body()).contains("id=\"counts\"", "id=\"count-stores\"", "Counters per store", "Staff by role");
    }

    @Test
    void signingInWithoutTheCsrfTokenIsRefused() {
        ConsoleSession s = new ConsoleSession(port);
        s.get("/login");
        Page login = s.post("/login", Form.of("username", users.get(Role.ADMIN), "password", PASSWORD));
        assertThat(login.status()).isNotEqualTo(200);
        assertThat(s.get("/").status()).as("still signed out").isEqualTo(302);
    }

    @Test
    void wrongPasswordGoesBackToTheLoginPageWithTheReason() {
        ConsoleSession s = new ConsoleSession(port);
        Page login = s.login(users.get(Role.MARKETER), "not-the-password-1");
        assertThat(login.status()).isEqualTo(302);
        assertThat(login.location()).endsWith("/login?error=bad");

        Page page = s.get("/login?error=bad");
        assertThat(page.body()).contains("id=\"login-error\"", "The user name or password is not correct.");
    }

    @Test
    void fiveWrongPasswordsLockTheAccountUntilAnAdminUnlocksIt() {
        String username = createAccount(Role.ANALYST, null);
        ConsoleSession s = new ConsoleSession(port);
        for (int i = 0; i < 5; i++) {
            assertThat(s.login(username, "wrong-password-" + i).location()).endsWith("/login?error=bad");
        }
        Page locked = s.login(username, PASSWORD);
        assertThat(locked.location()).as("the right password no longer works").endsWith("/login?error=locked");
        assertThat(s.get("/login?error=locked").body()).contains("This account is locked");

        ConsoleSession admin = signedIn(Role.ADMIN);
        long id = accountId(username);
        assertThat(admin.get("/staff?q=" + username).body()).contains("Locked", "/staff/" + id + "/unlock");
        Page unlock = admin.submit("/staff/" + id + "/unlock", new Form());
        assertThat(unlock.status()).isEqualTo(302);
        assertThat(admin.get("/staff").body()).contains("Staff account " + username + " has been unlocked.");

        assertThat(new ConsoleSession(port).login(username, PASSWORD).location())
                .endsWith("/");
    }

    @Test
    void pagesRedirectAnonymousVisitorsToTheLoginPage() {
        Page page = new ConsoleSession(port).get("/stores");
        assertThat(page.status()).isEqualTo(302);
        assertThat(page.location()).endsWith("/login");
    }

    @Test
    void signingOutNeedsAPostAndEndsTheSession() {
        ConsoleSession s = signedIn(Role.FINANCE);
        Page logout = s.submit("/logout", new Form());
        assertThat(logout.location()).endsWith("/login?logout");
        assertThat(s.get("/login?logout").body()).contains("You have been signed out.");
        assertThat(s.get("/").status()).isEqualTo(302);
    }

    // ------------------------------------------------------------------ roles and store scope

    @ParameterizedTest
    @EnumSource(Role.class)
    void everyRoleOpensTheHomePageAndTheOrganisationPages(Role role) {
        ConsoleSession s = signedIn(role);
        for (String path : List.of(
                "/",
                "/home/counts",
                "/head-office",
                "/regions",
                "/stores",
                "/stores/" + storeA,
                "/counters",
                "/brands",
                "/categories",
                "/account/password")) {
            assertThat(s.get(path).status()).as("%s opens %s", role, path).isEqualTo(200);
        }
    }

    @ParameterizedTest
    @EnumSource(value = Role.class, names = "ADMIN", mode = EnumSource.Mode.EXCLUDE)
    void onlyAdminsOpenAdministrationAndReferenceDataForms(Role role) {
        ConsoleSession s = signedIn(role);
        for (String path : List.of(
                "/staff",
                "/staff/new",
                "/api-keys",
                "/audit",
                "/stores/new",
                "/regions/new",
                "/brands/new",
                "/categories/new",
                "/stores/" + storeA + "/edit",
                "/regions/" + region + "/edit")) {
            Page page = s.get(path);
            assertThat(page.status()).as("%s opens %s", role, path).isEqualTo(403);
            assertThat(page.body()).contains("id=\"error-title\"", "Forbidden");
        }
        String home = s.get("/").body();
        assertThat(home).as("no administration in the navigation").doesNotContain("href=\"/staff\"", "href=\"/audit\"");
        assertThat(s.get("/stores").body()).doesNotContain("href=\"/stores/new\"");
    }

    @Test
    void adminOpensEveryPageAndSeesAdministrationInTheNavigation() {
        ConsoleSession s = signedIn(Role.ADMIN);
        long id = accountId(users.get(Role.MARKETER));
        for (String path : List.of(
                "/staff",
                "/staff/new",
                "/staff/" + id + "/edit",
                "/api-keys",
                "/audit",
                "/stores/new",
                "/stores/" + storeB + "/edit",
                "/regions/new",
                "/regions/" + region + "/edit",
                "/brands/new",
                "/categories/new",
                "/counters/new")) {
            assertThat(s.get(path).status()).as("admin opens %s", path).isEqualTo(200);
        }
        assertThat(s.get("/").body()).contains("href=\"/staff\"", "href=\"/api-keys\"", "href=\"/audit\"");
    }

    @Test
    void headOfficeDetailsAreReadOnlyExceptForHeadOfficeAdmins() {
        ConsoleSession agent = signedIn(Role.AGENT);
        Page view = agent.get("/head-office");
        assertThat(view.body()).contains("Only head-office administrators").doesNotContain("name=\"legalName\"");
        assertThat(agent.submit("/head-office", Form.of("code", "HQ", "name", "x"))
                        .status())
                .isEqualTo(403);

        ConsoleSession admin = signedIn(Role.ADMIN);
        assertThat(admin.get("/head-office").body()).contains("name=\"legalName\"");
        Page invalid = admin.submit("/head-office", Form.of("code", "H Q", "name", "", "timeZone", "Asia/Shanghai"));
        assertThat(invalid.status()).isEqualTo(400);
        assertThat(invalid.body()).contains("must not be empty");
        Page bad = admin.submit("/head-office", Form.of("code", "HQ", "name", "总部", "timeZone", "Mars/Base"));
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.body()).contains("not a known time zone");
        Page saved = admin.submit(
                "/head-office",
                Form.of("code", "HQ", "name", "阳光百货总部", "legalName", "阳光百货集团有限公司", "timeZone", "Asia/Shanghai"));
        assertThat(saved.status()).isEqualTo(302);
        assertThat(admin.get("/head-office").body()).contains("阳光百货集团有限公司");
    }

    @Test
    void counterStaffCannotOpenStaffAdministration() {
        ConsoleSession s = signedIn(Role.COUNTER_STAFF);
        assertThat(s.get("/staff").status()).isEqualTo(403);
        assertThat(s.get("/api-keys").status()).isEqualTo(403);
    }

    @Test
    void counterStaffCannotCreateStoresOrCounters() {
        ConsoleSession s = signedIn(Role.COUNTER_STAFF);
        assertThat(s.get("/stores/new").status()).isEqualTo(403);
        assertThat(s.get("/counters/new").status()).isEqualTo(403);
        String code = TestData.unique("ST");
        Page post = s.submit("/stores", Form.of("code", code, "name", "不该创建", "regionCode", region));
        assertThat(post.status()).isEqualTo(403);
        assertThat(organization.storeIdByCode(code)).isEmpty();
    }

    @Test
    void storeManagerLimitedToOneStoreCannotOpenAnotherStore() {
        ConsoleSession s = signedIn(Role.STORE_MANAGER);
        assertThat(s.get("/stores/" + storeA).status()).isEqualTo(200);
        Page other = s.get("/stores/" + storeB);
        assertThat(other.status()).isEqualTo(403);
        assertThat(other.body()).contains("This store is outside the stores you are allowed to work with.");

        String list = s.get("/stores?q=" + storeA.substring(0, 6)).body();
        assertThat(list).contains(storeA).doesNotContain(storeB);
    }

    @Test
    void storeManagerCreatesCountersInTheirStoreOnly() {
        ConsoleSession s = signedIn(Role.STORE_MANAGER);
        assertThat(s.get("/counters/new?store=" + storeA).status()).isEqualTo(200);

        String mine = TestData.unique("CT");
        Page created = s.submit("/counters", counter(mine, storeA));
        assertThat(created.status()).isEqualTo(302);
        assertThat(created.location()).endsWith("/stores/" + storeA);
        assertThat(s.get("/stores/" + storeA).body()).contains(mine, "Counter " + mine + " has been saved.");

        String other = TestData.unique("CT");
        assertThat(s.submit("/counters", counter(other, storeB)).status()).isEqualTo(403);
        assertThat(organization.counter(other)).as("nothing written").isEmpty();
    }

    @Test
    void adminSeesEveryStore() {
        ConsoleSession s = signedIn(Role.ADMIN);
        assertThat(s.get("/stores/" + storeB).status()).isEqualTo(200);
        assertThat(s.get("/stores?region=" + region).body()).contains(storeA, storeB);
    }

    // ------------------------------------------------------------------ forms

    @Test
    void invalidStoreFormShowsTheErrorsNextToTheFields() {
        ConsoleSession s = signedIn(Role.ADMIN);
        Page page = s.submit(
                "/stores",
                Form.of(
                        "code",
                        "no spaces!",
                        "name",
                        "",
                        "regionCode",
                        region,
                        "phone",
                        "abc",
                        "openedOn",
                        "",
                        "timeZone",
                        "Asia/Shanghai",
                        "status",
                        "ACTIVE"));
        assertThat(page.status()).isEqualTo(400);
        assertThat(page.body())
                .contains("Please correct the marked fields.")
                .containsPattern("id=\"code\"[^>]*value=\"no spaces!\"|value=\"no spaces!\"[^>]*id=\"code\"")
                .contains("must be 1-32 letters, digits, &#39;-&#39; or &#39;_&#39;, starting with a letter or digit")
                .contains("must not be empty")
                .contains("is not a valid phone number");
    }

    @Test
    void theApisAnswerIsShownOnTheFieldItConcerns() {
        ConsoleSession s = signedIn(Role.ADMIN);
        Page duplicate = s.submit("/stores", Form.of("code", storeA, "name", "重复", "regionCode", region));
        assertThat(duplicate.status()).isEqualTo(409);
        assertThat(duplicate.body()).contains("Code " + storeA + " is already used.");

        Page unknownRegion = s.submit(
                "/stores", Form.of("code", TestData.unique("ST"), "name", "新店", "regionCode", "NO-SUCH-REGION"));
        assertThat(unknownRegion.status()).isEqualTo(404);
        assertThat(unknownRegion.body()).contains("is-invalid", "Region NO-SUCH-REGION does not exist.");

        Page badZone = s.submit(
                "/stores",
                Form.of("code", TestData.unique("ST"), "name", "新店", "regionCode", region, "timeZone", "Mars/Olympus"));
        assertThat(badZone.status()).isEqualTo(400);
        assertThat(badZone.body()).contains("is not a known time zone");
    }

    @Test
    void storeCreatedThroughTheFormIsFoundInTheList() {
        ConsoleSession s = signedIn(Role.ADMIN);
        String code = TestData.unique("ST");
        Page created = s.submit(
                "/stores",
                Form.of(
                        "code",
                        code.toLowerCase(),
                        "name",
                        "测试南京路店",
                        "regionCode",
                        region,
                        "city",
                        "上海",
                        "phone",
                        "021-6321 0000",
                        "openedOn",
                        "2020-05-01",
                        "timeZone",
                        "Asia/Shanghai",
                        "status",
                        "ACTIVE"));
        assertThat(created.status()).isEqualTo(302);
        assertThat(created.location()).endsWith("/stores/" + code);
        assertThat(s.get("/stores/" + code).body())
                .contains("Store " + code + " has been saved.", "测试南京路店", "2020-05-01");
        assertThat(s.get("/stores?q=" + code).body()).contains(code, "测试南京路店");

        Page edit = s.get("/stores/" + code + "/edit");
        assertThat(edit.body()).as("dates go back into the form as ISO").contains("value=\"2020-05-01\"");
    }

    @Test
    void staffAccountCreatedThroughTheFormCanSignIn() {
        ConsoleSession admin = signedIn(Role.ADMIN);
        String username = TestData.unique("clerk").toLowerCase();
        Page invalid = admin.submit(
                "/staff",
                Form.of(
                        "username",
                        username,
                        "displayName",
                        "店员",
                        "password",
                        "short",
                        "_allStores",
                        "on",
                        "_enabled",
                        "on"));
        assertThat(invalid.status()).isEqualTo(400);
        assertThat(invalid.body()).contains("choose at least one role");

        Page created = admin.submit(
                "/staff",
                Form.of(
                        "username",
                        username,
                        "displayName",
                        "店员小王",
                        "email",
                        "",
                        "roles",
                        "COUNTER_STAFF",
                        "_roles",
                        "on",
                        "_allStores",
                        "on",
                        "storeCodes",
                        storeA,
                        "password",
                        PASSWORD,
                        "enabled",
                        "true",
                        "_enabled",
                        "on"));
        assertThat(created.status()).isEqualTo(302);
        StaffAccount account = staff.account(accountId(username)).orElseThrow();
        assertThat(account.allStores()).isFalse();
        assertThat(account.storeCodes()).containsExactly(storeA);
        assertThat(account.roles()).containsExactly(Role.COUNTER_STAFF);

        assertThat(new ConsoleSession(port).login(username, PASSWORD).location())
                .endsWith("/");
    }

    @Test
    void changingOwnPasswordNeedsTheCurrentOneAndAMatchingRepeat() {
        String username = createAccount(Role.AGENT, null);
        ConsoleSession s = new ConsoleSession(port);
        s.login(username, PASSWORD);
        String next = "Another-long-secret-9";

        Page wrong = s.submit(
                "/account/password",
                Form.of("currentPassword", "nope-nope-nope", "newPassword", next, "confirmPassword", next));
        assertThat(wrong.status()).isEqualTo(400);
        assertThat(wrong.body()).contains("The current password is not correct.");

        Page mismatch = s.submit(
                "/account/password",
                Form.of("currentPassword", PASSWORD, "newPassword", next, "confirmPassword", next + "x"));
        assertThat(mismatch.body()).contains("does not match the new password");

        Page done = s.submit(
                "/account/password",
                Form.of("currentPassword", PASSWORD, "newPassword", next, "confirmPassword", next));
        assertThat(done.status()).isEqualTo(302);
        assertThat(s.get("/").body()).contains("Your password has been changed.");
        assertThat(new ConsoleSession(port).login(username, next).location()).endsWith("/");
    }

    @Test
    void postWithoutCsrfTokenIsRejected() {
        ConsoleSession s = signedIn(Role.ADMIN);
        String code = TestData.unique("RG");
        Page page = s.post("/regions", Form.of("code", code, "name", "没有令牌"));
        assertThat(page.status()).isEqualTo(403);
        assertThat(page.body()).contains("This form has expired");
        assertThat(organization.region(code)).isEmpty();
    }

    @Test
    void apiKeySecretIsShownOnlyInTheAnswerToItsCreation() {
        ConsoleSession s = signedIn(Role.ADMIN);
        String name = TestData.unique("pos").toLowerCase();
        Page created = s.submit(
                "/api-keys",
                Form.of(
                        "name",
                        name,
                        "roles",
                        "COUNTER_STAFF",
                        "_roles",
                        "on",
                        "storeCodes",
                        storeA,
                        "_allStores",
                        "on"));
        assertThat(created.status()).isEqualTo(200);
        String secret = created.body().replaceAll("(?s).*id=\"secret\"[^>]*value=\"(ptk_[^\"]+)\".*", "$1");
        assertThat(secret).startsWith("ptk_").hasSizeGreaterThan(20);

        Page list = s.get("/api-keys");
        assertThat(list.body()).contains(name).doesNotContain(secret);

        long id = staff.apiKeys().stream()
                .filter(k -> k.name().equals(name))
                .findFirst()
                .orElseThrow()
                .id();
        Page revoked = s.submit("/api-keys/" + id + "/revoke", new Form());
        assertThat(revoked.status()).isEqualTo(302);
        assertThat(s.get("/api-keys").body()).contains("API key &quot;" + name + "&quot; has been revoked.");
    }

    // ------------------------------------------------------------------ errors, language, HTMX

    @Test
    void unknownStoreShowsALocalizedNotFoundPageInsideTheLayout() {
        ConsoleSession s = signedIn(Role.ADMIN);
        Page page = s.get("/stores/NO-SUCH-STORE");
        assertThat(page.status()).isEqualTo(404);
        assertThat(page.body()).contains("Store NO-SUCH-STORE does not exist.", "navbar-vertical");

        ConsoleSession zh = new ConsoleSession(port, "zh-CN");
        zh.login(users.get(Role.ADMIN), PASSWORD);
        assertThat(zh.get("/stores/NO-SUCH-STORE").body()).contains("门店 NO-SUCH-STORE 不存在。");
    }

    @Test
    void unknownAddressShowsTheNotFoundPage() {
        Page page = signedIn(Role.ANALYST).get("/no-such-page");
        assertThat(page.status()).isEqualTo(404);
        assertThat(page.body()).contains("id=\"error-title\"", "Not found", "navbar-vertical");
    }

    @Test
    void badListParametersAnswer400NeverAServerError() {
        ConsoleSession s = signedIn(Role.ADMIN);
        for (String path : List.of(
                "/stores?page=-1",
                "/stores?page=abc",
                "/stores?sort=bogus",
                "/counters?size=100000",
                "/staff?role=KING",
                "/staff/abc/edit",
                "/home/counts?poll=x",
                "/audit?size=0")) {
            Page page = s.get(path);
            assertThat(page.status()).as(path).isEqualTo(400);
            assertThat(page.body()).as(path).contains("id=\"error-message\"");
        }
        assertThat(s.get("/staff/999999999/edit").status()).isEqualTo(404);
    }

    @Test
    void languageSwitchKeepsTheChosenLanguage() {
        ConsoleSession s = signedIn(Role.ADMIN);
        assertThat(s.get("/?lang=zh-CN").body()).contains("lang=\"zh-CN\"", "欢迎", "各门店专柜数");
        assertThat(s.get("/stores").body()).as("remembered in a cookie").contains("门店", "新建门店");
        assertThat(s.get("/stores?lang=en").body()).contains("lang=\"en\"", "New store");
    }

    @Test
    void htmxRequestsGetOnlyTheChangingPart() {
        ConsoleSession s = signedIn(Role.ADMIN);
        Page results = s.get("/stores?q=" + storeA, Map.of("HX-Request", "true"));
        assertThat(results.body().strip()).startsWith("<div id=\"results\"");
        assertThat(results.body()).contains(storeA).doesNotContain("<html", "navbar-vertical");

        Page counts = s.get("/home/counts?poll=3", Map.of("HX-Request", "true"));
        assertThat(counts.body().strip()).startsWith("<div id=\"counts\"");
        assertThat(counts.body()).contains("hx-get=\"/home/counts?poll=4\"", "hx-trigger=\"every 30s\"");

        Page last = s.get("/home/counts?poll=" + HomeController.MAX_POLLS, Map.of("HX-Request", "true"));
        assertThat(last.body())
                .as("polling stops so idle sessions can time out")
                .doesNotContain("hx-trigger");

        Page history = s.get("/stores?q=" + storeA, Map.of("HX-Request", "true", "HX-History-Restore-Request", "true"));
        assertThat(history.body()).contains("<html");
    }

    @Test
    void homeCountsFollowTheStoreScope() {
        ConsoleSession manager = signedIn(Role.STORE_MANAGER);
        String home = manager.get("/").body();
        assertThat(home).contains("id=\"count-stores\"").doesNotContain("Staff by role");
        assertThat(home.replaceAll("(?s).*id=\"count-stores\".*?class=\"stat-value\">([^<]+)<.*", "$1"))
                .isEqualTo("1");
    }

    @Test
    void restErrorsStayProblemJsonWhileConsoleErrorsArePages() throws Exception {
        HttpResponse<String> api = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/api/v1/stores/NO-SUCH-STORE"))
                                .header("Authorization", "Bearer " + TestData.BOOTSTRAP_API_KEY)
                                .header("Accept", "text/html,application/json;q=0.9,*/*;q=0.8")
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(api.statusCode()).isEqualTo(404);
        assertThat(api.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
    }

    // ------------------------------------------------------------------ helpers

    private ConsoleSession signedIn(Role role) {
        ConsoleSession s = new ConsoleSession(port);
        Page login = s.login(users.get(role), PASSWORD);
        assertThat(login.location()).as("%s signs in", role).endsWith("/");
        return s;
    }

    private String createStore(String prefix) {
        return organization
                .createStore(new StoreCommand(
                        TestData.unique(prefix),
                        "测试门店 " + prefix,
                        region,
                        null,
                        "杭州",
                        null,
                        null,
                        "Asia/Shanghai",
                        null,
                        "ACTIVE"))
                .code();
    }

    private String createAccount(Role role, List<String> stores) {
        String username = TestData.unique(role.name().toLowerCase().replace('_', '.'));
        staff.createAccount(new StaffCommand(
                username, "测试" + role.name(), null, Set.of(role), stores == null, stores, PASSWORD, true));
        return username;
    }

    private long accountId(String username) {
        return staff.accounts(dev.patron.shared.web.PageQuery.of(0, 5, username, null), null).items().stream()
                .filter(a -> a.username().equals(username))
                .findFirst()
                .orElseThrow()
                .id();
    }

    private static Form counter(String code, String store) {
        return Form.of(
                "code",
                code,
                "name",
                "测试专柜",
                "storeCode",
                store,
                "supplierName",
                "上海测试贸易有限公司",
                "floor",
                "1F",
                "status",
                "ACTIVE");
    }
}
