package dev.patron.members;

import static dev.patron.members.MemberFixtures.e164;
import static dev.patron.members.MemberFixtures.phone;
import static dev.patron.members.MemberFixtures.with;
import static org.assertj.core.api.Assertions.assertThat;

import dev.patron.ApiClient;
import dev.patron.PatronIntegrationTest;
import dev.patron.TestData;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/** Enrolment, validation, the 360 view, changes, lookup, batch and search over real HTTP. */
@PatronIntegrationTest
class MemberApiIntegrationTests {

    @LocalServerPort
    int port;

    @Autowired
    JdbcClient jdbc;

    ApiClient api;
    MemberFixtures fx;
    String store;

    @BeforeEach
    void setUp() {
        api = new ApiClient(port, TestData.BOOTSTRAP_API_KEY);
        fx = new MemberFixtures(api);
        store = fx.store();
    }

    @Test
    void enrolsAMemberWithNormalisedPhoneAnElectronicCardAndTheWholeProfile() {
        String phone = phone();
        var res = api.post(
                "/api/v1/members",
                with(
                        "name",
                        "王小明",
                        "phone",
                        phone.substring(0, 3) + " " + phone.substring(3, 7) + "-" + phone.substring(7),
                        "email",
                        " Wang.XM@Example.COM ",
                        "gender",
                        "MALE",
                        "birthday",
                        "1990-05-17",
                        "region",
                        "华东",
                        "city",
                        "上海",
                        "occupation",
                        "工程师",
                        "industry",
                        "IT",
                        "incomeBand",
                        "FROM_10K_TO_20K",
                        "interests",
                        List.of("咖啡", "跑步"),
                        "preferredStoreCode",
                        store,
                        "joinStoreCode",
                        store,
                        "joinChannel",
                        "POS",
                        "tags",
                        List.of("VIP", "新客"),
                        "identifiers",
                        List.of(Map.of("system", "Legacy", "value", "00042"))));
        assertThat(res.status()).as(res.raw()).isEqualTo(201);
        JsonNode m = res.json();
        long id = m.path("id").asLong();
        assertThat(res.raw()).doesNotContain("\"masked\":true");
        assertThat(m.path("phone").asString()).isEqualTo(e164(phone));
        assertThat(m.path("email").asString()).isEqualTo("wang.xm@example.com");
        assertThat(m.path("namePinyin").asString()).isEqualTo("wangxiaoming");
        assertThat(m.path("status").asString()).isEqualTo("ACTIVE");
        assertThat(m.path("kind").asString()).isEqualTo("INDIVIDUAL");
        assertThat(m.path("preferredStoreCode").asString()).isEqualTo(store);
        assertThat(m.path("joinChannel").asString()).isEqualTo("POS");
        assertThat(m.path("tags").findValuesAsString("")).isEmpty();
        assertThat(m.path("tags").toString()).contains("VIP", "新客");
        assertThat(m.path("cards").size()).isEqualTo(1);
        JsonNode card = m.path("cards").get(0);
        assertThat(card.path("kind").asString()).isEqualTo("ELECTRONIC");
        assertThat(card.path("status").asString()).isEqualTo("ACTIVE");
        assertThat(card.path("number").asString()).startsWith("8860").hasSize(16);
        assertThat(CardNumbers.luhnValid(card.path("number").asString())).isTrue();
        assertThat(identifiers(m))
                .contains(
                        "PHONE::" + e164(phone),
                        "EMAIL::wang.xm@example.com",
                        "EXTERNAL:legacy:00042",
                        "CARD::" + card.path("number").asString());
        assertThat(m.path("consents").size()).isEqualTo(8);
        assertThat(m.path("panels").isArray()).isTrue();
        assertThat(api.get("/api/v1/members/" + id).json().path("name").asString())
                .isEqualTo("王小明");
        assertThat(auditActions(id)).contains("member.created");
        assertThat(res.raw()).doesNotContain("ptk_");
    }

    static List<String> identifiers(JsonNode m) {
        List<String> out = new ArrayList<>();
        for (JsonNode i : m.path("identifiers")) {
            out.add(i.path("kind").asString() + ":"
                    + (i.path("system").isNull() ? "" : i.path("system").asString()) + ":"
                    + i.path("value").asString());
        }
        return out;
    }

    @Test
    void rejectsBadFieldsAllAtOnceNamingEachInTheCallersLanguage() {
        var res = api.post(
                "/api/v1/members",
                with("name", "", "phone", "12345", "email", "not-an-email", "birthday", "2999-01-01"));
        assertThat(res.status()).isEqualTo(400);
        assertThat(res.contentType()).startsWith("application/problem+json");
        assertThat(res.fieldError("name")).isEqualTo("must not be empty");
        assertThat(res.fieldError("phone")).isEqualTo("is not a valid phone number");
        assertThat(res.fieldError("email")).isEqualTo("is not a valid e-mail address");
        assertThat(res.fieldError("birthday")).isEqualTo("must not be in the future");

        var zh = api.inLanguage("zh-CN").post("/api/v1/members", with("name", "张三", "phone", "021-62345678"));
        assertThat(zh.status()).isEqualTo(400);
        assertThat(zh.fieldError("phone")).isNotNull().doesNotContain("valid");
        assertThat(zh.detail()).isEqualTo("部分字段填写有误。");
    }

    @Test
    void rejectsUnknownStoresReferencesAndWrongEnumValues() {
        var unknownStore = api.post(
                "/api/v1/members", with("name", "李四", "phone", phone(), "preferredStoreCode", "NO-SUCH-STORE"));
        assertThat(unknownStore.status()).isEqualTo(404);
        assertThat(unknownStore.fieldError("preferredStoreCode")).contains("NO-SUCH-STORE");
        var unknownReferrer =
                api.post("/api/v1/members", with("name", "李四", "phone", phone(), "referrerId", 987654321));
        assertThat(unknownReferrer.status()).isEqualTo(404);
        assertThat(unknownReferrer.fieldError("referrerId")).contains("987654321");
        var unknownStaff = api.post("/api/v1/members", with("name", "李四", "ownerStaffId", 987654321));
        assertThat(unknownStaff.status()).isEqualTo(404);
        assertThat(unknownStaff.fieldError("ownerStaffId")).isNotNull();
        var badGender = api.post("/api/v1/members", with("name", "李四", "gender", "ROBOT"));
        assertThat(badGender.status()).isEqualTo(400);
        assertThat(badGender.fieldError("gender")).isNotNull();
        var unknownField = api.post("/api/v1/members", with("name", "李四", "shoeSize", 42));
        assertThat(unknownField.status()).isEqualTo(400);
        assertThat(unknownField.fieldError("shoeSize")).contains("Unknown field");
    }

    @Test
    void aCardNumberBelongsToOneMemberAndMustCarryAValidCheckDigit() {
        String number =
                CardNumbers.generate(MemberRulesTests.CARDS, 90_000_000_000L + System.nanoTime() % 9_000_000_000L);
        var first = api.post("/api/v1/members", with("name", "赵六", "phone", phone(), "cardNumber", number));
        assertThat(first.status()).as(first.raw()).isEqualTo(201);
        assertThat(first.json().path("cards").get(0).path("kind").asString()).isEqualTo("PHYSICAL");
        var again = api.post("/api/v1/members", with("name", "钱七", "phone", phone(), "cardNumber", number));
        assertThat(again.status()).isEqualTo(409);
        assertThat(again.fieldError("cardNumber")).contains(number);
        String typo = number.substring(0, 15) + ((number.charAt(15) - '0' + 1) % 10);
        var bad = api.post("/api/v1/members", with("name", "钱七", "phone", phone(), "cardNumber", typo));
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.fieldError("cardNumber")).contains("16");
    }

    @Test
    void aPhoneInUseIsRefusedUnlessSharingIsAllowedAndTheLookupOffersEveryone() {
        String phone = phone();
        long first = fx.member("孙爸爸", phone, store).path("id").asLong();
        var second = api.post("/api/v1/members", with("name", "孙女儿", "phone", phone));
        assertThat(second.status()).isEqualTo(409);
        assertThat(second.fieldError("phone")).contains(String.valueOf(first));
        var shared = api.post("/api/v1/members", with("name", "孙女儿", "phone", phone, "allowDuplicatePhone", true));
        assertThat(shared.status()).isEqualTo(201);
        var lookup = api.get("/api/v1/members/lookup?phone=" + phone);
        assertThat(lookup.status()).isEqualTo(200);
        assertThat(lookup.json().path("member").path("id").asLong()).isEqualTo(first);
        assertThat(lookup.json().path("otherMatches").get(0).path("id").asLong())
                .isEqualTo(shared.json().path("id").asLong());
    }

    @Test
    void looksMembersUpByPhoneCardEmailAndExternalIdOr404() {
        String phone = phone();
        String email = TestData.unique("m").toLowerCase() + "@example.com";
        String openid = TestData.unique("o6_bmj");
        JsonNode m = fx.member(with(
                "name",
                "周八",
                "phone",
                phone,
                "email",
                email,
                "preferredStoreCode",
                store,
                "identifiers",
                List.of(Map.of("system", "wechat", "value", openid))));
        long id = m.path("id").asLong();
        String card = m.path("cards").get(0).path("number").asString();

        assertThat(api.get("/api/v1/members/lookup?phone=%2B86" + phone)
                        .json()
                        .path("member")
                        .path("id")
                        .asLong())
                .isEqualTo(id);
        var byCard = api.get("/api/v1/members/lookup?card=" + card);
        assertThat(byCard.json().path("member").path("id").asLong()).isEqualTo(id);
        assertThat(byCard.json().path("card").path("status").asString()).isEqualTo("ACTIVE");
        assertThat(byCard.json().path("member").path("activeCards").get(0).asString())
                .isEqualTo(card);
        assertThat(api.get("/api/v1/members/lookup?email=" + email.toUpperCase())
                        .json()
                        .path("member")
                        .path("id")
                        .asLong())
                .isEqualTo(id);
        assertThat(api.get("/api/v1/members/lookup?system=WeChat&externalId=" + openid)
                        .json()
                        .path("member")
                        .path("id")
                        .asLong())
                .isEqualTo(id);

        var nobody = api.get("/api/v1/members/lookup?phone=" + phone());
        assertThat(nobody.status()).isEqualTo(404);
        assertThat(nobody.contentType()).startsWith("application/problem+json");
        assertThat(api.get("/api/v1/members/lookup?card=8860000000000000").status())
                .isEqualTo(404);
        var badPhone = api.get("/api/v1/members/lookup?phone=12");
        assertThat(badPhone.status()).isEqualTo(400);
        assertThat(badPhone.fieldError("phone")).isNotNull();
        assertThat(api.get("/api/v1/members/lookup").status()).isEqualTo(400);
        assertThat(api.get("/api/v1/members/lookup?phone=" + phone + "&card=" + card)
                        .status())
                .isEqualTo(400);
        assertThat(api.get("/api/v1/members/987654321").status()).isEqualTo(404);
    }

    @Test
    void patchChangesNamedFieldsClearsNullsAndKeepsIdentifiersInStep() {
        String phone = phone();
        JsonNode m = fx.member(with(
                "name",
                "吴九",
                "phone",
                phone,
                "email",
                "wu9-" + phone + "@example.com",
                "city",
                "杭州",
                "preferredStoreCode",
                store));
        long id = m.path("id").asLong();
        String newPhone = phone();
        var res = api.send(
                "PATCH",
                "/api/v1/members/" + id,
                "{\"name\":\"吴久\",\"phone\":\"" + newPhone
                        + "\",\"city\":null,\"birthday\":\"1985-02-03\",\"tags\":[\"金卡\"]}");
        assertThat(res.status()).as(res.raw()).isEqualTo(200);
        assertThat(res.json().path("name").asString()).isEqualTo("吴久");
        assertThat(res.json().path("namePinyin").asString()).isEqualTo("wujiu");
        assertThat(res.json().path("phone").asString()).isEqualTo(e164(newPhone));
        assertThat(res.json().path("city").isNull()).isTrue();
        assertThat(res.json().path("email").asString()).startsWith("wu9-");
        assertThat(res.json().path("birthday").asString()).isEqualTo("1985-02-03");
        assertThat(api.get("/api/v1/members/lookup?phone=" + newPhone).status()).isEqualTo(200);
        assertThat(api.get("/api/v1/members/lookup?phone=" + phone).status()).isEqualTo(404);
        assertThat(jdbc.sql(
                                "select details::text from audit.audit_event where entity_type = 'member' and entity_id = ? and action = 'member.updated'")
                        .param(String.valueOf(id))
                        .query(String.class)
                        .single())
                .contains("phone", "name", "city", "tags");

        var unknown = api.send("PATCH", "/api/v1/members/" + id, "{\"password\":\"x\"}");
        assertThat(unknown.status()).isEqualTo(400);
        assertThat(unknown.fieldError("password")).isNotNull();
        var future = api.send("PATCH", "/api/v1/members/" + id, "{\"birthday\":\"2999-01-01\"}");
        assertThat(future.status()).isEqualTo(400);
        assertThat(future.fieldError("birthday")).isEqualTo("must not be in the future");
        var wrongType = api.send("PATCH", "/api/v1/members/" + id, "{\"birthday\":\"someday\"}");
        assertThat(wrongType.status()).isEqualTo(400);
        assertThat(wrongType.fieldError("birthday")).isNotNull();
    }

    @Test
    void institutionsHaveACompanyTaxIdAndContactPersonsAndIndividualsCanBelongToThem() {
        var inst = api.post(
                "/api/v1/members",
                with(
                        "kind",
                        "INSTITUTION",
                        "companyName",
                        "上海阳光贸易有限公司",
                        "taxId",
                        "91350100M000100Y43",
                        "contactPersons",
                        List.of(
                                Map.of("name", "陈经理", "title", "采购经理", "phone", "021-62345678"),
                                Map.of("name", "刘助理", "phone", phone()))));
        assertThat(inst.status()).as(inst.raw()).isEqualTo(201);
        long instId = inst.json().path("id").asLong();
        assertThat(inst.json().path("name").asString()).isEqualTo("上海阳光贸易有限公司");
        assertThat(inst.json().path("contactPersons").size()).isEqualTo(2);
        assertThat(inst.json().path("contactPersons").get(0).path("phone").asString())
                .isEqualTo("+862162345678");

        var employee = api.post("/api/v1/members", with("name", "陈员工", "phone", phone(), "institutionId", instId));
        assertThat(employee.status()).isEqualTo(201);
        assertThat(employee.json().path("institutionId").asLong()).isEqualTo(instId);

        var badTax = api.post(
                "/api/v1/members", with("kind", "INSTITUTION", "companyName", "x", "taxId", "91350100M000100Y44"));
        assertThat(badTax.status()).isEqualTo(400);
        assertThat(badTax.fieldError("taxId")).isNotNull();
        var contactsOnIndividual =
                api.post("/api/v1/members", with("name", "x", "contactPersons", List.of(Map.of("name", "y"))));
        assertThat(contactsOnIndividual.status()).isEqualTo(400);
        assertThat(contactsOnIndividual.fieldError("contactPersons")).isNotNull();
        var notAnInstitution = api.post(
                "/api/v1/members",
                with("name", "x", "institutionId", employee.json().path("id").asLong()));
        assertThat(notAnInstitution.status()).isEqualTo(400);
        assertThat(notAnInstitution.fieldError("institutionId")).isNotNull();
    }

    @Test
    void customFieldsAreTypeChecked() {
        String code = "shoe" + TestData.unique("x").replaceAll("[^A-Za-z0-9]", "");
        String choice = "style" + TestData.unique("x").replaceAll("[^A-Za-z0-9]", "");
        assertThat(api.put("/api/v1/member-custom-fields/" + code, with("label", "鞋码", "type", "NUMBER"))
                        .status())
                .isEqualTo(200);
        assertThat(api.put(
                                "/api/v1/member-custom-fields/" + choice,
                                with("label", "风格", "type", "CHOICE", "choices", List.of("商务", "休闲")))
                        .status())
                .isEqualTo(200);
        var ok = api.post("/api/v1/members", with("name", "郑十", "customFields", Map.of(code, 38.5, choice, "休闲")));
        assertThat(ok.status()).as(ok.raw()).isEqualTo(201);
        assertThat(ok.json().path("customFields").path(code).asDouble()).isEqualTo(38.5);
        var wrongType = api.post("/api/v1/members", with("name", "郑十", "customFields", Map.of(code, "big")));
        assertThat(wrongType.status()).isEqualTo(400);
        assertThat(wrongType.fieldError("customFields." + code)).contains("NUMBER");
        var wrongChoice = api.post("/api/v1/members", with("name", "郑十", "customFields", Map.of(choice, "朋克")));
        assertThat(wrongChoice.fieldError("customFields." + choice)).isNotNull();
        var unknown = api.post("/api/v1/members", with("name", "郑十", "customFields", Map.of("noSuchField", 1)));
        assertThat(unknown.status()).isEqualTo(400);
        assertThat(unknown.fieldError("customFields.noSuchField")).contains("noSuchField");
        var noChoices = api.put("/api/v1/member-custom-fields/" + choice + "x", with("label", "x", "type", "CHOICE"));
        assertThat(noChoices.status()).isEqualTo(400);
        assertThat(noChoices.fieldError("choices")).isNotNull();
    }

    @Test
    void cardsCanBeFrozenReportedLostAndReplacedKeepingTheirHistory() {
        JsonNode m = fx.member("冯十一", phone(), store);
        long id = m.path("id").asLong();
        String card = m.path("cards").get(0).path("number").asString();
        assertThat(api.post("/api/v1/cards/" + card + "/status", with("status", "FROZEN", "reason", "会员要求"))
                        .json()
                        .path("status")
                        .asString())
                .isEqualTo("FROZEN");
        assertThat(api.post("/api/v1/cards/" + card + "/status", with("status", "ACTIVE"))
                        .status())
                .isEqualTo(200);
        assertThat(api.post("/api/v1/cards/" + card + "/status", with("status", "REPORTED_LOST"))
                        .status())
                .isEqualTo(200);
        var replaced = api.post("/api/v1/cards/" + card + "/replace", with("reason", "丢失补卡"));
        assertThat(replaced.status()).as(replaced.raw()).isEqualTo(201);
        String newCard = replaced.json().path("number").asString();
        assertThat(replaced.json().path("replacesNumber").asString()).isEqualTo(card);

        JsonNode after = api.get("/api/v1/members/" + id).json();
        assertThat(after.path("cards").size()).isEqualTo(2);
        assertThat(after.path("cards").get(0).path("status").asString()).isEqualTo("REPLACED");
        assertThat(after.path("cards").get(1).path("number").asString()).isEqualTo(newCard);
        var oldLookup = api.get("/api/v1/members/lookup?card=" + card);
        assertThat(oldLookup.json().path("member").path("id").asLong()).isEqualTo(id);
        assertThat(oldLookup.json().path("card").path("status").asString()).isEqualTo("REPLACED");
        var again = api.post("/api/v1/cards/" + card + "/status", with("status", "ACTIVE"));
        assertThat(again.status()).isEqualTo(409);
        assertThat(jdbc.sql(
                                "select count(*) from members.card_event e join members.card c on c.id = e.card_id where c.number = ?")
                        .param(card)
                        .query(Long.class)
                        .single())
                .isEqualTo(5);
        var second = api.post("/api/v1/members/" + id + "/cards", with("kind", "ELECTRONIC"));
        assertThat(second.status()).isEqualTo(201);
        assertThat(api.get("/api/v1/cards/nope/status").status()).isEqualTo(405);
    }

    @Test
    void batchEnrolsEachItemOnItsOwnWithPerItemResults() {
        String taken = phone();
        fx.member("已存在", taken, store);
        var res = api.post(
                "/api/v1/members/batch",
                Map.of(
                        "members",
                        List.of(
                                with("name", "批量一", "phone", phone(), "preferredStoreCode", store),
                                with("name", "批量二", "phone", "bad"),
                                with("name", "批量三", "phone", taken),
                                with("name", "批量四", "preferredStoreCode", "NOPE"),
                                with(
                                        "name",
                                        "批量五",
                                        "identifiers",
                                        List.of(Map.of("system", "legacy", "value", TestData.unique("L")))))));
        assertThat(res.status()).as(res.raw()).isEqualTo(200);
        assertThat(res.json().path("created").asInt()).isEqualTo(2);
        assertThat(res.json().path("failed").asInt()).isEqualTo(3);
        JsonNode r = res.json().path("results");
        assertThat(r.get(0).path("status").asInt()).isEqualTo(201);
        assertThat(r.get(0).path("id").asLong()).isPositive();
        assertThat(r.get(1).path("status").asInt()).isEqualTo(400);
        assertThat(r.get(1).path("errors").get(0).path("field").asString()).isEqualTo("phone");
        assertThat(r.get(2).path("status").asInt()).isEqualTo(409);
        assertThat(r.get(3).path("status").asInt()).isEqualTo(404);
        assertThat(r.get(3).path("errors").get(0).path("field").asString()).isEqualTo("preferredStoreCode");
        assertThat(r.get(4).path("status").asInt()).isEqualTo(201);

        List<Map<String, Object>> tooMany = new ArrayList<>();
        for (int i = 0; i <= MemberRestController_MAX_BATCH; i++) {
            tooMany.add(Map.of("name", "x"));
        }
        var big = api.post("/api/v1/members/batch", Map.of("members", tooMany));
        assertThat(big.status()).isEqualTo(400);
        assertThat(big.fieldError("members")).contains("1000");
    }

    static final int MemberRestController_MAX_BATCH = 1000;

    @Test
    void searchesByNamePinyinInitialsPhoneSuffixAndCardWithPaging() {
        String tag = TestData.unique("T");
        String p1 = phone();
        JsonNode a = fx.member(with("name", "欧阳娜娜", "phone", p1, "preferredStoreCode", store, "tags", List.of(tag)));
        fx.member(with("name", "欧阳修", "phone", phone(), "preferredStoreCode", store, "tags", List.of(tag)));
        fx.member(with("name", "司马光", "phone", phone(), "preferredStoreCode", store, "tags", List.of(tag)));

        assertThat(names("q=" + enc("欧阳") + "&tag=" + tag)).containsExactlyInAnyOrder("欧阳娜娜", "欧阳修");
        assertThat(names("q=ouyang&tag=" + tag)).containsExactlyInAnyOrder("欧阳娜娜", "欧阳修");
        assertThat(names("q=oynn&tag=" + tag)).containsExactly("欧阳娜娜");
        assertThat(names("q=smg&tag=" + tag)).containsExactly("司马光");
        assertThat(names("q=yangna&tag=" + tag)).containsExactly("欧阳娜娜");
        assertThat(names("q=" + p1.substring(7) + "&tag=" + tag)).containsExactly("欧阳娜娜");
        assertThat(names("q=" + p1 + "&tag=" + tag)).containsExactly("欧阳娜娜");
        assertThat(names("q=" + a.path("cards").get(0).path("number").asString()))
                .containsExactly("欧阳娜娜");

        var page = api.get("/api/v1/members?tag=" + tag + "&size=2&sort=name");
        assertThat(page.json().path("totalItems").asLong()).isEqualTo(3);
        assertThat(page.json().path("items").size()).isEqualTo(2);
        var second = api.get("/api/v1/members?tag=" + tag + "&size=2&page=1&sort=name");
        assertThat(second.json().path("items").size()).isEqualTo(1);
        assertThat(api.get("/api/v1/members?sort=phone").status()).isEqualTo(400);
        assertThat(api.get("/api/v1/members?store=" + store + "&tag=" + tag)
                        .json()
                        .path("totalItems")
                        .asLong())
                .isEqualTo(3);
    }

    private List<String> names(String query) {
        var res = api.get("/api/v1/members?size=50&" + query);
        assertThat(res.status()).as(res.raw()).isEqualTo(200);
        return res.json().path("items").findValuesAsString("name");
    }

    static String enc(String s) {
        return java.net.URLEncoder.encode(s, java.nio.charset.StandardCharsets.UTF_8);
    }

    @Test
    void notesAndExternalIdsAreAddedToTheFile() {
        long id = fx.member("褚十二", phone(), store).path("id").asLong();
        var note = api.post("/api/v1/members/" + id + "/notes", Map.of("body", "喜欢香水，周末来店"));
        assertThat(note.status()).isEqualTo(201);
        assertThat(note.json().path("author").asString()).isNotBlank();
        String openid = TestData.unique("oid");
        assertThat(api.post("/api/v1/members/" + id + "/identifiers", Map.of("system", "wechat", "value", openid))
                        .status())
                .isEqualTo(200);
        long other = fx.member("卫十三", phone(), store).path("id").asLong();
        var taken = api.post("/api/v1/members/" + other + "/identifiers", Map.of("system", "wechat", "value", openid));
        assertThat(taken.status()).isEqualTo(409);
        assertThat(taken.fieldError("value")).contains(openid);
        var badSystem =
                api.post("/api/v1/members/" + other + "/identifiers", Map.of("system", "We Chat!", "value", "x"));
        assertThat(badSystem.status()).isEqualTo(400);
        assertThat(badSystem.fieldError("system")).isNotNull();
        JsonNode m = api.get("/api/v1/members/" + id).json();
        assertThat(m.path("notes").get(0).path("body").asString()).isEqualTo("喜欢香水，周末来店");
    }

    @Test
    void openApiDescribesTheMemberEndpoints() {
        var res = new ApiClient(port, null).get("/api/openapi.json");
        assertThat(res.json().path("paths").has("/api/v1/members")).isTrue();
        assertThat(res.json().path("paths").has("/api/v1/members/lookup")).isTrue();
        assertThat(res.json().path("paths").has("/api/v1/members/{id}/merge")).isTrue();
        assertThat(res.json().path("paths").has("/api/v1/members/{id}/consents"))
                .isTrue();
        assertThat(res.json().path("paths").has("/api/v1/members/batch")).isTrue();
    }

    private List<String> auditActions(long memberId) {
        return jdbc.sql(
                        "select action from audit.audit_event where entity_type = 'member' and entity_id = ? order by id")
                .param(String.valueOf(memberId))
                .query(String.class)
                .list();
    }
}
