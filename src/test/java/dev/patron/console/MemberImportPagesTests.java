package dev.patron.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patron.PatronIntegrationTest;
import dev.patron.TestData;
import dev.patron.console.ConsoleSession.Form;
import dev.patron.console.ConsoleSession.Page;
import dev.patron.members.IdentifierKind;
import dev.patron.members.MemberManagement;
import dev.patron.shared.security.Role;
import dev.patron.staff.StaffCommand;
import dev.patron.staff.StaffManagement;
import java.nio.charset.StandardCharsets;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * The member import wizard over real HTTP: a multipart upload, the preview with the suggested
 * column mapping, a skip-bad-rows run and its row-level report (also as CSV); bad input answers
 * inline messages, and only an admin reaches the wizard.
 */
@PatronIntegrationTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MemberImportPagesTests {

    static final String PASSWORD = "Correct-horse-battery-7";
    private static final Pattern MAPPING = Pattern.compile("/members/imports/(\\d+)/mapping$");

    final int port;
    final StaffManagement staff;
    final MemberManagement members;
    final Map<Role, String> users = new EnumMap<>(Role.class);

    MemberImportPagesTests(
            @LocalServerPort int port, @Autowired StaffManagement staff, @Autowired MemberManagement members) {
        this.port = port;
        this.staff = staff;
        this.members = members;
    }

    @BeforeAll
    void createAnAdminAndAStoreManager() {
        for (Role role : List.of(Role.ADMIN, Role.STORE_MANAGER)) {
            String username = TestData.unique("im." + role.name().toLowerCase().replace('_', '.'));
            staff.createAccount(
                    new StaffCommand(username, "导入测试" + role.name(), null, Set.of(role), true, null, PASSWORD, true));
            users.put(role, username);
        }
    }

    @Test
    void anAdminUploadsACsvMapsItsColumnsSkipsTheBadRowAndReadsTheReport() {
        String good1 = MemberPagesIntegrationTests.phone();
        String good2 = MemberPagesIntegrationTests.phone();
        String csv = "姓名,手机号,生日\n张丽华," + good1 + ",1990-01-02\n李建平,12345,1991-02-03\n王芳," + good2 + ",\n";
        ConsoleSession admin = signedIn(Role.ADMIN);

        Page form = admin.get("/members/imports/new");
        assertThat(form.status()).isEqualTo(200);
        assertThat(form.body()).contains("enctype=\"multipart/form-data\"", "name=\"file\"", "id=\"import-steps\"");

        Page uploaded = admin.upload(
                "/members/imports", new Form(), "file", "members.csv", csv.getBytes(StandardCharsets.UTF_8));
        assertThat(uploaded.status()).isEqualTo(302);
        Matcher m = MAPPING.matcher(uploaded.location());
        assertThat(m.find())
                .as("the upload leads to the mapping step: %s", uploaded.location())
                .isTrue();
        long job = Long.parseLong(m.group(1));

        Page preview = admin.get("/members/imports/" + job + "/mapping");
        assertThat(preview.status()).isEqualTo(200);
        assertThat(preview.body())
                .contains("id=\"import-sample\"", "张丽华", "李建平", "12345", "Skip bad rows", "All or nothing");
        assertThat(selected(preview.body(), 0))
                .as("姓名 is suggested as the name")
                .isEqualTo("name");
        assertThat(selected(preview.body(), 1)).isEqualTo("phone");
        assertThat(selected(preview.body(), 2)).isEqualTo("birthday");

        Page run = admin.submit(
                "/members/imports/" + job + "/run",
                Form.of(
                        "column0",
                        "姓名",
                        "field0",
                        "name",
                        "column1",
                        "手机号",
                        "field1",
                        "phone",
                        "column2",
                        "生日",
                        "field2",
                        "birthday",
                        "mode",
                        "SKIP_BAD_ROWS"));
        assertThat(run.status()).isEqualTo(302);
        assertThat(run.location()).endsWith("/members/imports/" + job);

        Page report = admin.get("/members/imports/" + job);
        assertThat(report.status()).isEqualTo(200);
        assertThat(report.body())
                .contains(
                        "2 of 3 rows were imported",
                        "data-count=\"createdRows\">2<",
                        "data-count=\"failedRows\">1<",
                        "data-row=\"3\"",
                        "<code>phone</code>",
                        "is not a valid phone number",
                        "href=\"/members/imports/" + job + "/problems.csv\"");
        assertThat(members.lookup(IdentifierKind.PHONE, null, good1)).isPresent();
        assertThat(members.lookup(IdentifierKind.PHONE, null, good2)).isPresent();

        Page problems = admin.get("/members/imports/" + job + "/problems.csv");
        assertThat(problems.status()).isEqualTo(200);
        assertThat(problems.body()).contains("Row,Field,Kind,Reason", "3,phone,ERROR,is not a valid phone number");

        assertThat(admin.get("/members/imports/" + job + "/mapping").location())
                .as("a finished import shows its report")
                .endsWith("/members/imports/" + job);
    }

    @Test
    void aMissingEmptyOrForeignFileIsAnInlineMessage() {
        ConsoleSession admin = signedIn(Role.ADMIN);

        Page none = admin.upload("/members/imports", new Form(), "file", null, null);
        assertThat(none.status()).isEqualTo(400);
        assertThat(none.body()).contains("id=\"import-problem\"", "The file must be chosen.", "name=\"file\"");

        Page notChosen = admin.upload("/members/imports", new Form(), "file", "", new byte[0]);
        assertThat(notChosen.status()).isEqualTo(400);
        assertThat(notChosen.body()).contains("The file must be chosen.");

        Page empty = admin.upload("/members/imports", new Form(), "file", "empty.csv", new byte[0]);
        assertThat(empty.status()).isEqualTo(400);
        assertThat(empty.body()).contains("The file is empty.");

        Page foreign = admin.upload(
                "/members/imports", new Form(), "file", "members.pdf", "%PDF-1.4".getBytes(StandardCharsets.UTF_8));
        assertThat(foreign.status()).isEqualTo(400);
        assertThat(foreign.body()).contains("The file must be a .csv or .xlsx file.");
    }

    @Test
    void anUnknownFieldOrColumnOrNoModeShowsTheMappingAgainWithTheReason() {
        ConsoleSession admin = signedIn(Role.ADMIN);
        String csv = "name,mobile,shoe size\n陈小燕," + MemberPagesIntegrationTests.phone() + ",38\n";
        Page uploaded =
                admin.upload("/members/imports", new Form(), "file", "shoes.csv", csv.getBytes(StandardCharsets.UTF_8));
        Matcher m = MAPPING.matcher(uploaded.location());
        assertThat(m.find()).isTrue();
        String job = m.group(1);

        Page unknownField = admin.submit(
                "/members/imports/" + job + "/run",
                Form.of(
                        "column0",
                        "name",
                        "field0",
                        "name",
                        "column1",
                        "mobile",
                        "field1",
                        "phone",
                        "column2",
                        "shoe size",
                        "field2",
                        "shoeSize",
                        "mode",
                        "SKIP_BAD_ROWS"));
        assertThat(unknownField.status()).isEqualTo(400);
        assertThat(unknownField.body())
                .contains("id=\"import-problem\"", "there is no member field &quot;shoeSize&quot;", "陈小燕");

        Page unknownColumn = admin.submit(
                "/members/imports/" + job + "/run",
                Form.of(
                        "column0",
                        "name",
                        "field0",
                        "name",
                        "column1",
                        "no such column",
                        "field1",
                        "phone",
                        "mode",
                        "ALL_OR_NOTHING"));
        assertThat(unknownColumn.status()).isEqualTo(400);
        assertThat(unknownColumn.body()).contains("the file has no column &quot;no such column&quot;");

        Page noName = admin.submit(
                "/members/imports/" + job + "/run",
                Form.of(
                        "column0",
                        "name",
                        "field0",
                        "",
                        "column1",
                        "mobile",
                        "field1",
                        "phone",
                        "mode",
                        "SKIP_BAD_ROWS"));
        assertThat(noName.status()).isEqualTo(400);
        assertThat(noName.body()).contains("map a column to the name field");

        Page noMode = admin.submit("/members/imports/" + job + "/run", Form.of("column0", "name", "field0", "name"));
        assertThat(noMode.status()).isEqualTo(400);
        assertThat(noMode.body()).contains("Choose what to do with bad rows.");

        Page fine = admin.submit(
                "/members/imports/" + job + "/run",
                Form.of(
                        "column0",
                        "name",
                        "field0",
                        "name",
                        "column1",
                        "mobile",
                        "field1",
                        "phone",
                        "mode",
                        "ALL_OR_NOTHING"));
        assertThat(fine.status())
                .as("the refused mappings left the upload ready to run")
                .isEqualTo(302);
        assertThat(admin.get("/members/imports/" + job).body()).contains("1 of 1 rows were imported");
        assertThat(admin.get("/members/imports/999999999").status()).isEqualTo(404);
    }

    @Test
    void onlyAnAdminReachesTheWizard() {
        ConsoleSession manager = signedIn(Role.STORE_MANAGER);
        assertThat(manager.get("/members/imports/new").status()).isEqualTo(403);
        assertThat(manager.get("/members").body()).doesNotContain("href=\"/members/imports\"");
        Page upload = manager.upload(
                "/members/imports",
                new Form(),
                "file",
                "members.csv",
                ("name,phone\n赵敏," + MemberPagesIntegrationTests.phone() + "\n").getBytes(StandardCharsets.UTF_8));
        assertThat(upload.status()).isEqualTo(403);
        assertThat(signedIn(Role.ADMIN).get("/members").body()).contains("href=\"/members/imports\"");
    }

    // ------------------------------------------------------------------ helpers

    /** The value of the selected option of the mapping select of column {@code index}. */
    private static String selected(String html, int index) {
        int at = html.indexOf("name=\"field" + index + "\"");
        assertThat(at).isNotNegative();
        String select = html.substring(at, html.indexOf("</select>", at));
        Matcher m = Pattern.compile("<option value=\"([^\"]*)\" selected").matcher(select);
        return m.find() ? m.group(1) : "";
    }

    private ConsoleSession signedIn(Role role) {
        ConsoleSession s = new ConsoleSession(port);
        Page login = s.login(users.get(role), PASSWORD);
        assertThat(login.location()).as("%s signs in", role).endsWith("/");
        return s;
    }
}
