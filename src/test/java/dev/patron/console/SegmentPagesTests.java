package dev.patron.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patron.ApiClient;
import dev.patron.PatronIntegrationTest;
import dev.patron.TestData;
import dev.patron.console.ConsoleSession.Form;
import dev.patron.console.ConsoleSession.Page;
import dev.patron.sales.SalesFixtures;
import dev.patron.shared.security.Role;
import dev.patron.staff.StaffCommand;
import dev.patron.staff.StaffManagement;
import java.nio.charset.StandardCharsets;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.json.JsonMapper;

/**
 * The segment pages over real HTTP: the list in both languages, the builder's form turning into the
 * stored definition, inline condition errors, the HTMX preview, the detail page with members and
 * the size chart's data, the static list upload with its report, and roles.
 */
@PatronIntegrationTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SegmentPagesTests {

    static final String PASSWORD = "Correct-horse-battery-7";
    static final JsonMapper JSON = JsonMapper.builder().build();

    final int port;
    final StaffManagement staff;
    ApiClient api;
    SalesFixtures fx;
    final Map<Role, String> users = new EnumMap<>(Role.class);
    String city;
    long member;

    SegmentPagesTests(@LocalServerPort int port, @Autowired StaffManagement staff) {
        this.port = port;
        this.staff = staff;
    }

    @BeforeAll
    void users() {
        api = new ApiClient(port, TestData.BOOTSTRAP_API_KEY);
        fx = new SalesFixtures(api);
        for (Role role : List.of(Role.MARKETER, Role.ANALYST, Role.COUNTER_STAFF)) {
            String username = TestData.unique(role.name().toLowerCase().replace('_', '.'));
            staff.createAccount(new StaffCommand(
                    username,
                    "分群测试" + role.name(),
                    null,
                    Set.of(role),
                    role != Role.COUNTER_STAFF,
                    role == Role.COUNTER_STAFF ? List.of(fx.store) : null,
                    PASSWORD,
                    true));
            users.put(role, username);
        }
        city = TestData.unique("城");
        member = fx.member("页面分群").path("id").asLong();
        var res = api.send("PATCH", "/api/v1/members/" + member, JSON.writeValueAsString(Map.of("city", city)));
        assertThat(res.status()).as(res.raw()).isEqualTo(200);
    }

    private ConsoleSession signedIn(Role role, String language) {
        ConsoleSession s = new ConsoleSession(port, language);
        Page login = s.login(users.get(role), PASSWORD);
        assertThat(login.location()).as("%s signs in", role).endsWith("/");
        return s;
    }

    private String definition() {
        return JSON.writeValueAsString(Map.of(
                "version",
                1,
                "root",
                Map.of("group", "AND", "items", List.of(Map.of("field", "city", "operator", "eq", "value", city)))));
    }

    @Test
    void theBuilderFormBecomesTheStoredDefinitionAndTheDetailPageShowsTheMembers() {
        ConsoleSession s = signedIn(Role.MARKETER, "en");
        Page builder = s.get("/segments/new");
        assertThat(builder.status()).isEqualTo(200);
        assertThat(builder.body())
                .contains("id=\"builder\"", "data-fields=", "Days since last purchase", "segment-builder.js");

        String name = TestData.unique("Page segment");
        Page saved = s.submit(
                "/segments", Form.of("name", name, "description", "from the page", "definition", definition()));
        assertThat(saved.status()).as(saved.body()).isEqualTo(302);
        long id = Long.parseLong(saved.location().replaceAll(".*/segments/", ""));
        var read = api.get("/api/v1/segments/" + id);
        assertThat(read.json().path("definition")).isEqualTo(JSON.readTree(definition()));
        assertThat(read.json().path("memberCount").asInt()).isEqualTo(1);

        Page detail = s.get("/segments/" + id);
        assertThat(detail.status()).isEqualTo(200);
        assertThat(detail.body())
                .contains(name, "id=\"size-chart\"", "data-history=", "137****", "id=\"members-table\"");
        assertThat(detail.body()).contains("id=\"segment-definition\"", "All of (AND)", "City is " + city);
        assertThat(detail.body())
                .doesNotContain(fx.admin
                        .get("/api/v1/members/" + member)
                        .json()
                        .path("phone")
                        .asString());

        Page list = s.get("/segments?q=" + java.net.URLEncoder.encode(name, StandardCharsets.UTF_8));
        assertThat(list.body()).contains(name, "class=\"sparkline\"", "Rule");
        Page zh = signedIn(Role.MARKETER, "zh-CN")
                .get("/segments?q=" + java.net.URLEncoder.encode(name, StandardCharsets.UTF_8));
        assertThat(zh.body()).contains("会员分群", "规则分群", "新建分群");
    }

    @Test
    void brokenConditionsAreShownInlineAndThePreviewAnswersWhileEditing() {
        ConsoleSession s = signedIn(Role.MARKETER, "zh-CN");
        String bad =
                "{\"version\":1,\"root\":{\"group\":\"AND\",\"items\":[{\"field\":\"spend12mFen\",\"operator\":\"gte\",\"value\":\"很多\"}]}}";
        Page page = s.submit("/segments", Form.of("name", "", "definition", bad));
        assertThat(page.status()).isEqualTo(400);
        assertThat(page.body())
                .contains("条件 1：取值必须是整数。", "id=\"condition-errors\"", "data-path=\"definition.root.items[0].value\"");
        assertThat(page.body()).contains("is-invalid");

        Page preview = s.submit("/segments/preview", Form.of("definition", definition()));
        assertThat(preview.status()).isEqualTo(200);
        assertThat(preview.body()).contains("id=\"preview-count\"", ">1<", "137****");
        Page problems = s.submit("/segments/preview", Form.of("definition", bad));
        assertThat(problems.body()).contains("条件 1：取值必须是整数。");
    }

    @Test
    void aListUploadShowsItsReport() {
        ConsoleSession s = signedIn(Role.MARKETER, "en");
        String phone = api.get("/api/v1/members/" + member)
                .json()
                .path("phone")
                .asString()
                .replace("+86", "");
        Page report = s.upload(
                "/segments/static",
                Form.of("name", TestData.unique("Upload"), "identifierKind", "PHONE", "content", ""),
                "file",
                "list.csv",
                ("phone\n" + phone + "\n13900000001\n").getBytes(StandardCharsets.UTF_8));
        assertThat(report.status()).as(report.body()).isEqualTo(201);
        assertThat(report.body())
                .contains("2 rows read, 1 members in the list, 1 rows without a member.", "No active member");
        Page empty = s.upload(
                "/segments/static", Form.of("name", "x", "identifierKind", "PHONE", "content", ""), "file", null, null);
        assertThat(empty.status()).isEqualTo(400);
        assertThat(empty.body()).contains("The list has no values.");
    }

    @Test
    void rolesDecideWhatThePagesOffer() {
        ConsoleSession analyst = signedIn(Role.ANALYST, "en");
        Page list = analyst.get("/segments");
        assertThat(list.status()).isEqualTo(200);
        assertThat(list.body()).doesNotContain("id=\"new-segment\"");
        assertThat(analyst.get("/segments/new").status()).isEqualTo(403);
        ConsoleSession counter = signedIn(Role.COUNTER_STAFF, "en");
        assertThat(counter.get("/segments").status()).isEqualTo(403);
        assertThat(counter.get("/").body()).doesNotContain("href=\"/segments\"");
        assertThat(signedIn(Role.MARKETER, "en").get("/").body()).contains("href=\"/segments\"");
    }
}
