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
import dev.patron.members.MemberStatus;
import dev.patron.organization.OrganizationManagement;
import dev.patron.organization.RegionCommand;
import dev.patron.organization.StoreCommand;
import dev.patron.shared.security.Role;
import dev.patron.staff.StaffCommand;
import dev.patron.staff.StaffManagement;
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
 * The merge screen over real HTTP: likely duplicates side by side in the caller's store scope, a
 * store manager merging a pair, the survivor's merge history with the admin's undo, and the roles
 * that may not merge.
 */
@PatronIntegrationTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MemberMergePagesTests {

    static final String PASSWORD = "Correct-horse-battery-7";

    final int port;
    final OrganizationManagement organization;
    final StaffManagement staff;
    final MemberManagement members;
    String store;
    final Map<Role, String> users = new EnumMap<>(Role.class);

    MemberMergePagesTests(
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
    void createAStoreAndOneAccountPerRole() {
        String region = organization
                .createRegion(new RegionCommand(TestData.unique("RG"), "华南合并"))
                .code();
        store = organization
                .createStore(new StoreCommand(
                        TestData.unique("MGS"),
                        "阳光百货 广州店",
                        region,
                        null,
                        "广州",
                        null,
                        null,
                        "Asia/Shanghai",
                        null,
                        "ACTIVE"))
                .code();
        for (Role role : Role.values()) {
            boolean limited = role == Role.STORE_MANAGER || role == Role.COUNTER_STAFF;
            String username = TestData.unique("mg." + role.name().toLowerCase().replace('_', '.'));
            staff.createAccount(new StaffCommand(
                    username,
                    "合并测试" + role.name(),
                    null,
                    Set.of(role),
                    !limited,
                    limited ? List.of(store) : null,
                    PASSWORD,
                    true));
            users.put(role, username);
        }
    }

    @Test
    void twoMembersWithTheSamePhoneAppearAsAPairSideBySide() {
        String phone = MemberPagesIntegrationTests.phone();
        Member a = enrol("周晓梅", phone);
        Member b = enrol("周小梅", phone);

        Page page = signedIn(Role.STORE_MANAGER).get("/members/duplicates?size=200");
        assertThat(page.status()).isEqualTo(200);
        String pair = pairBlock(page.body(), a.id(), b.id());
        assertThat(pair)
                .contains(
                        "Same phone",
                        "周晓梅",
                        "周小梅",
                        "href=\"/members/" + a.id() + "\"",
                        "href=\"/members/" + b.id() + "\"",
                        "Merge into this one",
                        "action=\"/members/" + a.id() + "/merge\"",
                        "action=\"/members/" + b.id() + "/merge\"",
                        "data-confirm=");
        assertThat(page.body()).as("the navigation offers the merge screen").contains("href=\"/members/duplicates\"");
    }

    @Test
    void aStoreManagerMergesFromThePageAndAnAdminUndoesItOnTheSurvivorsPage() {
        String phone = MemberPagesIntegrationTests.phone();
        Member survivor = enrol("吴建国", phone);
        Member loser = enrol("吴建囯", phone);
        ConsoleSession manager = signedIn(Role.STORE_MANAGER);

        Page merged =
                manager.submit("/members/" + survivor.id() + "/merge", Form.of("memberId", String.valueOf(loser.id())));
        assertThat(merged.status()).isEqualTo(302);
        assertThat(merged.location()).endsWith("/members/" + survivor.id() + "#merges");
        assertThat(members.member(loser.id()).status()).isEqualTo(MemberStatus.MERGED);

        Page survivorPage = manager.get("/members/" + survivor.id());
        assertThat(survivorPage.body())
                .contains(
                        "id=\"merges\"",
                        "Merged in:",
                        "href=\"/members/" + loser.id() + "\"",
                        "has been merged into this member");
        assertThat(survivorPage.body()).as("only an admin may undo").doesNotContain("data-undo=");
        Page loserPage = manager.get("/members/" + loser.id());
        assertThat(loserPage.body())
                .contains("id=\"member-inactive\"", "href=\"/members/" + survivor.id() + "\"", "Merged into:");
        assertThat(manager.get("/members/duplicates?size=200").body())
                .doesNotContain("data-pair=\"" + survivor.id() + "-" + loser.id() + "\"");

        ConsoleSession admin = signedIn(Role.ADMIN);
        Page adminView = admin.get("/members/" + survivor.id());
        Matcher undo = Pattern.compile("action=\"(/members/" + survivor.id() + "/merges/\\d+/undo)\"")
                .matcher(adminView.body());
        assertThat(undo.find()).as("the admin sees the undo button").isTrue();
        assertThat(adminView.body()).contains("data-confirm=\"Undo this merge?");

        assertThat(manager.submit(undo.group(1), new Form()).status())
                .as("a manager's undo is refused")
                .isEqualTo(403);
        Page undone = admin.submit(undo.group(1), new Form());
        assertThat(undone.status()).isEqualTo(302);
        assertThat(undone.location()).endsWith("/members/" + survivor.id() + "#merges");
        assertThat(members.member(loser.id()).status()).isEqualTo(MemberStatus.ACTIVE);
        Page after = admin.get("/members/" + survivor.id());
        assertThat(after.body())
                .contains("The merge has been undone", "Undone ")
                .doesNotContain("data-undo=");
    }

    @Test
    void counterStaffSeeNoMergeButtonAndTheirMergeIsForbidden() {
        String phone = MemberPagesIntegrationTests.phone();
        Member a = enrol("郑秀兰", phone);
        Member b = enrol("郑秀蘭", phone);
        ConsoleSession counter = signedIn(Role.COUNTER_STAFF);

        Page page = counter.get("/members/duplicates?size=200");
        assertThat(page.status()).isEqualTo(200);
        assertThat(pairBlock(page.body(), a.id(), b.id()))
                .contains("郑秀兰")
                .doesNotContain("merge-form", "Merge into this one");
        assertThat(page.body())
                .as("no navigation entry for a role that may not merge")
                .doesNotContain("href=\"/members/duplicates\"");

        Page post = counter.submit("/members/" + a.id() + "/merge", Form.of("memberId", String.valueOf(b.id())));
        assertThat(post.status()).isEqualTo(403);
        assertThat(members.member(b.id()).status()).isEqualTo(MemberStatus.ACTIVE);
    }

    @Test
    void badMergeRequestsAnswerClientErrorPagesNotServerErrors() {
        Member a = enrol("冯丽娟", MemberPagesIntegrationTests.phone());
        ConsoleSession admin = signedIn(Role.ADMIN);
        assertThat(admin.submit("/members/" + a.id() + "/merge", new Form()).status())
                .as("no member to merge")
                .isEqualTo(400);
        assertThat(admin.submit("/members/" + a.id() + "/merge", Form.of("memberId", String.valueOf(a.id())))
                        .status())
                .as("merging a member into itself")
                .isEqualTo(400);
        assertThat(admin.submit("/members/" + a.id() + "/merge", Form.of("memberId", "x"))
                        .status())
                .isEqualTo(400);
        assertThat(admin.get("/members/duplicates?page=-1").status()).isLessThan(500);
    }

    // ------------------------------------------------------------------ helpers

    /** The markup of the pair card of members a and b (in either order). */
    private static String pairBlock(String html, long a, long b) {
        int at = html.indexOf("data-pair=\"" + Math.min(a, b) + "-" + Math.max(a, b) + "\"");
        if (at < 0) {
            at = html.indexOf("data-pair=\"" + a + "-" + b + "\"");
        }
        if (at < 0) {
            at = html.indexOf("data-pair=\"" + b + "-" + a + "\"");
        }
        assertThat(at).as("the pair %d/%d is listed", a, b).isNotNegative();
        int end = html.indexOf("data-pair=", at + 10);
        return html.substring(at, end < 0 ? html.length() : end);
    }

    private Member enrol(String name, String phone) {
        return members.create(
                new MemberCommand(
                        null, name, phone, null, null, null, null, null, null, null, null, null, store, null, null,
                        null, null, null, null, null, null, null, null, null, null, null, null, true),
                JoinChannel.STORE_DESK);
    }

    private ConsoleSession signedIn(Role role) {
        ConsoleSession s = new ConsoleSession(port);
        Page login = s.login(users.get(role), PASSWORD);
        assertThat(login.location()).as("%s signs in", role).endsWith("/");
        return s;
    }
}
