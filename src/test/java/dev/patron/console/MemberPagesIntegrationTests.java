package dev.patron.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patron.PatronIntegrationTest;
import dev.patron.TestData;
import dev.patron.console.ConsoleSession.Form;
import dev.patron.console.ConsoleSession.Page;
import dev.patron.members.CardKind;
import dev.patron.members.CardStatus;
import dev.patron.members.ConsentChannel;
import dev.patron.members.ConsentPurpose;
import dev.patron.members.ConsentState;
import dev.patron.members.IdentifierKind;
import dev.patron.members.JoinChannel;
import dev.patron.members.Member;
import dev.patron.members.MemberCommand;
import dev.patron.members.MemberLookup;
import dev.patron.members.MemberManagement;
import dev.patron.organization.OrganizationManagement;
import dev.patron.organization.RegionCommand;
import dev.patron.organization.StoreCommand;
import dev.patron.shared.security.Role;
import dev.patron.staff.StaffCommand;
import dev.patron.staff.StaffManagement;
import java.time.LocalDate;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The member pages over real HTTP: search by pinyin and phone suffix, the 360 page, masking per
 * role, the enrol form's inline errors, store scope, the call-center lookup, and the public
 * self-service sign-up page (CSRF, validation, unknown store).
 */
@PatronIntegrationTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MemberPagesIntegrationTests {

    static final String PASSWORD = "Correct-horse-battery-7";
    private static final AtomicLong PHONE = new AtomicLong(10_000_000L + (System.nanoTime() / 1000) % 80_000_000L);

    final int port;
    final OrganizationManagement organization;
    final StaffManagement staff;
    final MemberManagement members;
    String storeA;
    String storeB;
    final Map<Role, String> users = new EnumMap<>(Role.class);

    MemberPagesIntegrationTests(
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
    void createStoresAndOneAccountPerRole() {
        String region = organization
                .createRegion(new RegionCommand(TestData.unique("RG"), "华东会员"))
                .code();
        storeA = organization
                .createStore(new StoreCommand(
                        TestData.unique("MSA"),
                        "阳光百货 杭州店",
                        region,
                        null,
                        "杭州",
                        null,
                        null,
                        "Asia/Shanghai",
                        null,
                        "ACTIVE"))
                .code();
        storeB = organization
                .createStore(new StoreCommand(
                        TestData.unique("MSB"),
                        "阳光百货 宁波店",
                        region,
                        null,
                        "宁波",
                        null,
                        null,
                        "Asia/Shanghai",
                        null,
                        "ACTIVE"))
                .code();
        for (Role role : Role.values()) {
            boolean limited = role == Role.STORE_MANAGER || role == Role.COUNTER_STAFF;
            String username = TestData.unique(role.name().toLowerCase().replace('_', '.'));
            staff.createAccount(new StaffCommand(
                    username,
                    "会员测试" + role.name(),
                    null,
                    Set.of(role),
                    !limited,
                    limited ? List.of(storeA) : null,
                    PASSWORD,
                    true));
            users.put(role, username);
        }
    }

    // ------------------------------------------------------------------ search and 360 page

    @Test
    void searchFindsAMemberByPinyinInitialsAndPhoneSuffix() {
        String phone = phone();
        Member m = enrol("欧阳靖琪", phone, storeA);
        ConsoleSession admin = signedIn(Role.ADMIN);

        Page byPinyin = admin.get("/members?size=200&q=ouyangjingqi");
        assertThat(byPinyin.status()).isEqualTo(200);
        assertThat(byPinyin.body()).contains("href=\"/members/" + m.id() + "\"", "欧阳靖琪");

        Page byInitials = admin.get("/members?size=200&q=oyjq");
        assertThat(byInitials.body()).contains("href=\"/members/" + m.id() + "\"");

        Page bySuffix = admin.get("/members?q=" + phone.substring(3));
        assertThat(bySuffix.body()).contains("href=\"/members/" + m.id() + "\"", "+86" + phone);

        Page fragment = admin.get("/members?q=" + phone.substring(3), Map.of("HX-Request", "true"));
        assertThat(fragment.body())
                .as("live search answers with the results only")
                .contains("id=\"results\"", "欧阳靖琪")
                .doesNotContain("<html");

        assertThat(byPinyin.body())
                .as("best match first: no column claims the order")
                .doesNotContain("aria-sort=\"ascending\"", "aria-sort=\"descending\"");
        assertThat(admin.get("/members").body()).contains("aria-sort=\"ascending\"");
        assertThat(admin.get("/members?sort=-name&q=oyjq").status()).isEqualTo(200);
        assertThat(admin.get("/members?sort=password").status())
                .as("unknown sort is a bad request, not a 500")
                .isEqualTo(400);
    }

    @Test
    void aBroadSearchShowsItsTotalAsALowerBoundWithANextPage(@Autowired JdbcClient jdbc) {
        String prefix = "宽搜" + TestData.unique("Q");
        jdbc.sql("""
                insert into members.member(name, name_pinyin, name_initials, join_channel)
                select :prefix || g, '', '', 'IMPORT' from generate_series(1, 10001) g""").param("prefix", prefix).update();
        ConsoleSession admin = signedIn(Role.ADMIN);
        Page page =
                admin.get("/members?q=" + java.net.URLEncoder.encode(prefix, java.nio.charset.StandardCharsets.UTF_8));
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.body()).contains("of 10,000+ members", "id=\"pager-at-least\"", "rel=\"next\"");
        Page narrow = admin.get(
                "/members?q=" + java.net.URLEncoder.encode(prefix + "9999", java.nio.charset.StandardCharsets.UTF_8));
        assertThat(narrow.body()).contains("of 1").doesNotContain("pager-at-least", "10,000+");
    }

    @Test
    void theMemberPageShowsCardsConsentIdentifiersAndContributedPanels() {
        String phone = phone();
        Member m = members.signUp(
                storeA,
                new dev.patron.members.SelfSignUp(
                        "林晓燕", phone, "lin@example.com", null, null, List.of(ConsentChannel.SMS)),
                "test");
        String card = m.cards().get(0).number();

        Page page = signedIn(Role.ADMIN).get("/members/" + m.id());
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.body())
                .contains(
                        "id=\"cards\"",
                        card,
                        "Electronic",
                        "Active",
                        "id=\"consents\"",
                        "Agreed",
                        "Refused",
                        "Not asked",
                        "id=\"identifiers\"",
                        "+86" + phone,
                        "lin@example.com",
                        "id=\"panels\"",
                        "data-panel=",
                        "Website");
        assertThat(new ConsoleSession(port).get("/members/" + m.id()).status())
                .as("anonymous visitors are sent to sign in")
                .isEqualTo(302);
    }

    @Test
    void contactDataIsMaskedOnThePagesForRolesThatDoNotNeedIt() {
        String phone = phone();
        Member m = enrol("钱多多", phone, storeA);
        String masked = phone.substring(0, 3) + "****" + phone.substring(7);

        for (Role role : List.of(Role.MARKETER, Role.COUNTER_STAFF)) {
            ConsoleSession s = signedIn(role);
            assertThat(s.get("/members/" + m.id()).body())
                    .as("%s on the 360 page", role)
                    .contains(masked, "id=\"masked-hint\"")
                    .doesNotContain("+86" + phone);
            assertThat(s.get("/members?q=" + phone.substring(3)).body())
                    .as("%s in the list", role)
                    .contains(masked)
                    .doesNotContain("+86" + phone);
        }
        for (Role role : List.of(Role.AGENT, Role.STORE_MANAGER)) {
            assertThat(signedIn(role).get("/members/" + m.id()).body())
                    .as("%s sees the number", role)
                    .contains("+86" + phone)
                    .doesNotContain("id=\"masked-hint\"");
        }
    }

    @Test
    void counterStaffOfStoreACannotOpenAMemberOfStoreB() {
        Member other = enrol("赵四海", phone(), storeB);
        Member own = enrol("赵五湖", phone(), storeA);
        ConsoleSession counter = signedIn(Role.COUNTER_STAFF);
        assertThat(counter.get("/members/" + other.id()).status()).isEqualTo(403);
        assertThat(counter.get("/members/" + other.id() + "/edit").status()).isEqualTo(403);
        assertThat(counter.get("/members/" + own.id()).status()).isEqualTo(200);
        assertThat(counter.get("/members/99999999").status()).isEqualTo(404);
    }

    @Test
    void anAgentReportsACardLostAndReplacesItFromTheMembersPage() {
        Member m = enrol("蒋文", phone(), storeB);
        String old = m.cards().get(0).number();
        ConsoleSession agent = signedIn(Role.AGENT);
        assertThat(agent.get("/members/" + m.id()).body())
                .contains("data-card-action=\"REPORTED_LOST\"", "Report card " + old);

        Page lost =
                agent.submit("/members/" + m.id() + "/cards/" + old + "/status", Form.of("status", "REPORTED_LOST"));
        assertThat(lost.status()).isEqualTo(302);
        assertThat(agent.get("/members/" + m.id()).body())
                .contains("Card " + old + " has been reported lost.", "Reported lost", "data-card-action=\"ACTIVE\"");

        Page again =
                agent.submit("/members/" + m.id() + "/cards/" + old + "/status", Form.of("status", "REPORTED_LOST"));
        assertThat(again.status())
                .as("the same change twice is a conflict page")
                .isEqualTo(409);
        assertThat(agent.submit("/members/" + m.id() + "/cards/" + old + "/status", Form.of("status", "LOST"))
                        .status())
                .isEqualTo(400);

        Page replaced = agent.submit("/members/" + m.id() + "/cards/" + old + "/replace", new Form());
        assertThat(replaced.status()).isEqualTo(302);
        Member after = members.member(m.id());
        assertThat(after.cards()).hasSize(2);
        String fresh = after.cards().stream()
                .filter(c -> c.status() == CardStatus.ACTIVE)
                .findFirst()
                .orElseThrow()
                .number();
        assertThat(agent.get("/members/" + m.id()).body())
                .contains("New electronic card " + fresh + " has been issued.", "Replaced", "replaces " + old);
        assertThat(signedIn(Role.MARKETER)
                        .submit("/members/" + m.id() + "/cards/" + fresh + "/status", Form.of("status", "FROZEN"))
                        .status())
                .as("read-only role")
                .isEqualTo(403);
    }

    // ------------------------------------------------------------------ enrol and edit

    @Test
    void theEnrolFormShowsEveryProblemNextToItsField() {
        ConsoleSession desk = signedIn(Role.ADMIN);
        assertThat(desk.get("/members/new").body())
                .contains("id=\"member-form\"", "name=\"preferredStoreCode\"", storeA);

        Page invalid = desk.submit(
                "/members",
                Form.of(
                        "name",
                        "",
                        "phone",
                        "12345",
                        "email",
                        "not-an-email",
                        "birthday",
                        LocalDate.now().plusDays(3).toString(),
                        "gender",
                        "FEMALE",
                        "joinChannel",
                        "STORE_DESK"));
        assertThat(invalid.status()).isEqualTo(400);
        assertThat(invalid.body())
                .contains(
                        "Please correct the marked fields.",
                        "must not be empty",
                        "is not a valid phone number",
                        "is not a valid e-mail address",
                        "must not be in the future");
        assertThat(fieldIsInvalid(invalid.body(), "name")).isTrue();
        assertThat(fieldIsInvalid(invalid.body(), "phone")).isTrue();

        Page badDate = desk.submit("/members", Form.of("name", "王小明", "birthday", "31.02.1990"));
        assertThat(badDate.status())
                .as("a malformed date is a field error, not a 500")
                .isEqualTo(400);
        assertThat(fieldIsInvalid(badDate.body(), "birthday")).isTrue();

        String phone = phone();
        Page saved = desk.submit(
                "/members",
                Form.of(
                        "name",
                        "王小明",
                        "phone",
                        phone,
                        "gender",
                        "MALE",
                        "preferredStoreCode",
                        storeA,
                        "joinChannel",
                        "STORE_DESK"));
        assertThat(saved.status()).isEqualTo(302);
        long id = Long.parseLong(saved.location().replaceAll(".*/members/", ""));
        assertThat(desk.get("/members/" + id).body())
                .contains("Member 王小明 has been saved.", "+86" + phone, "Store desk");

        Page edit = desk.submit(
                "/members/" + id,
                Form.of("name", "王小明", "phone", phone, "city", "杭州", "preferredStoreCode", storeA, "gender", "MALE"));
        assertThat(edit.status()).isEqualTo(302);
        assertThat(members.member(id).city()).isEqualTo("杭州");
    }

    @Test
    void counterStaffEditingAMemberWhosePhoneTheyCannotSeeKeepsThePhone() {
        String phone = phone();
        Member m = enrol("冯晓", phone, storeA);
        ConsoleSession counter = signedIn(Role.COUNTER_STAFF);
        Page form = counter.get("/members/" + m.id() + "/edit");
        assertThat(form.status()).isEqualTo(200);
        assertThat(form.body()).as("the form does not reveal the number").doesNotContain(phone);

        Page saved = counter.submit(
                "/members/" + m.id(), Form.of("name", "冯晓", "phone", "", "city", "嘉兴", "preferredStoreCode", storeA));
        assertThat(saved.status()).isEqualTo(302);
        Member after = members.member(m.id());
        assertThat(after.phone()).isEqualTo("+86" + phone);
        assertThat(after.city()).isEqualTo("嘉兴");
        assertThat(signedIn(Role.MARKETER).get("/members/" + m.id() + "/edit").status())
                .as("read-only role")
                .isEqualTo(403);
    }

    @Test
    void badParametersAreAnsweredWithAPageNeverA500() {
        ConsoleSession admin = signedIn(Role.ADMIN);
        assertThat(admin.get("/members?page=-1").status()).isEqualTo(400);
        assertThat(admin.get("/members?size=100000").status()).isEqualTo(400);
        assertThat(admin.get("/members?page=x").status()).isEqualTo(400);
        assertThat(admin.get("/members/not-a-number").status()).isEqualTo(404);
        assertThat(admin.get("/members/lookup?number=%25%27%22%3C").status()).isEqualTo(404);
        assertThat(admin.get("/members/lookup?number=1" + "3".repeat(300)).status())
                .isEqualTo(404);
        Member m = enrol("韩梅梅", phone(), storeA);
        assertThat(admin.submit("/members/" + m.id() + "/notes", Form.of("body", " "))
                        .status())
                .isEqualTo(400);
        Page note = admin.submit("/members/" + m.id() + "/notes", Form.of("body", "喜欢丝巾，周末来店"));
        assertThat(note.status()).isEqualTo(302);
        assertThat(admin.get("/members/" + m.id()).body()).contains("喜欢丝巾，周末来店", "The note has been added.");
    }

    // ------------------------------------------------------------------ call-center lookup

    @Test
    void theLookupOpensTheMembersPageOrSaysThatNobodyMatches() {
        String phone = phone();
        Member m = enrol("孙悦", phone, storeB);
        ConsoleSession agent = signedIn(Role.AGENT);

        Page byPhone = agent.get("/members/lookup?number=" + phone.substring(0, 3) + "+" + phone.substring(3));
        assertThat(byPhone.status()).isEqualTo(302);
        assertThat(byPhone.location()).endsWith("/members/" + m.id());

        Page byCard = agent.get("/members/lookup?number=" + m.cards().get(0).number());
        assertThat(byCard.location()).endsWith("/members/" + m.id());

        Page nobody = agent.get("/members/lookup?number=13000000000");
        assertThat(nobody.status()).isEqualTo(404);
        assertThat(nobody.body()).contains("id=\"lookup-problem\"", "No active member matches this identifier.");

        assertThat(agent.get("/members/lookup").body()).contains("id=\"lookup-form\"");
        assertThat(agent.get("/").body()).as("the box in the top bar").contains("id=\"header-lookup\"");
    }

    // ------------------------------------------------------------------ public sign-up

    @Test
    void aVisitorSignsUpWithAnElectronicCardAndConsentPerChannel() {
        ConsoleSession visitor = new ConsoleSession(port, "zh-CN");
        Page form = visitor.get("/join/" + storeA);
        assertThat(form.status()).isEqualTo(200);
        assertThat(form.body())
                .contains(
                        "成为会员", "阳光百货 杭州店", "我同意 阳光百货 杭州店 通过短信向我发送优惠和活动信息。", "告知书版本 " + members.consentWordingVersion())
                .doesNotContain("navbar-vertical");

        String phone = phone();
        Page done = visitor.post(
                "/join/" + storeA,
                Form.of(
                        "name",
                        "陈静",
                        "phone",
                        phone,
                        "gender",
                        "FEMALE",
                        "birthday",
                        "1992-03-08",
                        "marketingConsents",
                        "SMS",
                        "marketingConsents",
                        "PHONE",
                        "_csrf",
                        ConsoleSession.csrfFrom(form.body())));
        assertThat(done.status()).isEqualTo(200);
        assertThat(done.body()).contains("欢迎您，陈静！", "id=\"join-card-number\"");

        MemberLookup found = members.lookup(IdentifierKind.PHONE, null, phone).orElseThrow();
        Member m = members.member(found.member().id());
        assertThat(m.joinChannel()).isEqualTo(JoinChannel.WEBSITE);
        assertThat(m.joinStoreCode()).isEqualTo(storeA);
        assertThat(m.cards()).singleElement().satisfies(c -> {
            assertThat(c.kind()).isEqualTo(CardKind.ELECTRONIC);
            assertThat(c.status()).isEqualTo(CardStatus.ACTIVE);
            assertThat(done.body()).contains(c.number());
        });
        assertThat(marketing(m, ConsentChannel.SMS).granted()).isTrue();
        assertThat(marketing(m, ConsentChannel.PHONE).granted()).isTrue();
        ConsentState email = marketing(m, ConsentChannel.EMAIL);
        assertThat(email.granted()).isFalse();
        assertThat(email.at()).as("the refusal is recorded too").isNotNull();
        assertThat(members.consentHistory(m.id())).hasSize(3).allSatisfy(e -> {
            assertThat(e.wordingVersion()).isEqualTo(members.consentWordingVersion());
            assertThat(e.storeCode()).isEqualTo(storeA);
        });

        Page again = visitor.post(
                "/join/" + storeA,
                Form.of(
                        "name",
                        "陈静",
                        "phone",
                        phone,
                        "_csrf",
                        ConsoleSession.csrfFrom(visitor.get("/join/" + storeA).body())));
        assertThat(again.status()).as("the same number twice").isEqualTo(409);
        assertThat(again.body()).contains("该手机号已注册会员").doesNotContain(String.valueOf(m.id()) + "。");
    }

    @Test
    void signUpWithoutTheCsrfTokenIsRefused() {
        ConsoleSession visitor = new ConsoleSession(port);
        visitor.get("/join/" + storeA);
        String phone = phone();
        Page page = visitor.post("/join/" + storeA, Form.of("name", "Mallory", "phone", phone));
        assertThat(page.status())
                .as("not accepted, and the visitor is told why instead of sent to the staff login")
                .isEqualTo(403);
        assertThat(page.body()).contains("This form has expired").doesNotContain("join-card-number");
        assertThat(members.lookup(IdentifierKind.PHONE, null, phone)).isEmpty();
    }

    @Test
    void signUpWithAnInvalidPhoneShowsTheFieldError() {
        ConsoleSession visitor = new ConsoleSession(port);
        Page form = visitor.get("/join/" + storeA);
        Page page = visitor.post(
                "/join/" + storeA,
                Form.of(
                        "name",
                        "Li Lei",
                        "phone",
                        "12345",
                        "birthday",
                        "1990-05-17",
                        "_csrf",
                        ConsoleSession.csrfFrom(form.body())));
        assertThat(page.status()).isEqualTo(400);
        assertThat(fieldIsInvalid(page.body(), "phone")).isTrue();
        assertThat(page.body()).contains("is not a valid phone number", "id=\"join-form\"");

        Page badDate = visitor.post(
                "/join/" + storeA,
                Form.of(
                        "name",
                        "Li Lei",
                        "phone",
                        phone(),
                        "birthday",
                        "not a date",
                        "_csrf",
                        ConsoleSession.csrfFrom(form.body())));
        assertThat(badDate.status())
                .as("a malformed date is a field error, not a 500")
                .isEqualTo(400);
        assertThat(fieldIsInvalid(badDate.body(), "birthday")).isTrue();

        Page empty = visitor.post(
                "/join/" + storeA, Form.of("name", "", "phone", "", "_csrf", ConsoleSession.csrfFrom(form.body())));
        assertThat(empty.status()).isEqualTo(400);
        assertThat(fieldIsInvalid(empty.body(), "name")).isTrue();
        assertThat(fieldIsInvalid(empty.body(), "phone")).isTrue();
    }

    @Test
    void anUnknownStoreHasAFriendlyNotFoundPage() {
        Page page = new ConsoleSession(port, "zh-CN").get("/join/NO-SUCH-" + TestData.unique("X"));
        assertThat(page.status()).isEqualTo(404);
        assertThat(page.body()).contains("id=\"join-unknown\"", "该注册链接无效").doesNotContain("navbar-vertical");
        assertThat(new ConsoleSession(port).get("/join/%E4%B8%AD%20'").status()).isEqualTo(404);
    }

    // ------------------------------------------------------------------ helpers

    private static ConsentState marketing(Member m, ConsentChannel channel) {
        return m.consents().stream()
                .filter(c -> c.channel() == channel && c.purpose() == ConsentPurpose.MARKETING)
                .findFirst()
                .orElseThrow();
    }

    /** The input of {@code field} carries Bootstrap's invalid marker. */
    private static boolean fieldIsInvalid(String html, String field) {
        return html.matches("(?s).*<(input|select)[^>]*id=\"" + field + "\"[^>]*class=\"[^\"]*is-invalid.*")
                || html.matches(
                        "(?s).*<(input|select)[^>]*class=\"[^\"]*is-invalid[^\"]*\"[^>]*id=\"" + field + "\".*");
    }

    private Member enrol(String name, String phone, String store) {
        return members.create(
                new MemberCommand(
                        null, name, phone, null, null, null, null, null, null, null, null, null, store, null, null,
                        null, null, null, null, null, null, null, null, null, null, null, null, null),
                JoinChannel.STORE_DESK);
    }

    private ConsoleSession signedIn(Role role) {
        ConsoleSession s = new ConsoleSession(port);
        Page login = s.login(users.get(role), PASSWORD);
        assertThat(login.location()).as("%s signs in", role).endsWith("/");
        return s;
    }

    /** A new mobile number in national form (137…), unique in this test run. */
    static String phone() {
        return "137" + String.format("%08d", PHONE.incrementAndGet() % 100_000_000L);
    }
}
