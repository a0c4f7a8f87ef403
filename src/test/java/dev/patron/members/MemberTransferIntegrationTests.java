package dev.patron.members;

import static dev.patron.members.MemberFixtures.phone;
import static dev.patron.members.MemberFixtures.with;
import static org.assertj.core.api.Assertions.assertThat;

import cn.idev.excel.FastExcel;
import dev.patron.ApiClient;
import dev.patron.PatronIntegrationTest;
import dev.patron.TestData;
import dev.patron.shared.security.Role;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** CSV and Excel import with preview, mapping and row-level report; list export masked by role and audited. */
@PatronIntegrationTest
class MemberTransferIntegrationTests {

    @LocalServerPort
    int port;

    @Autowired
    JdbcClient jdbc;

    ApiClient admin;
    MemberFixtures fx;
    String store;

    @BeforeEach
    void setUp() {
        admin = new ApiClient(port, TestData.BOOTSTRAP_API_KEY);
        fx = new MemberFixtures(admin);
        store = fx.store();
    }

    record Raw(int status, String contentType, byte[] body) {
        JsonNode json() {
            return JsonMapper.builder().build().readTree(new String(body, StandardCharsets.UTF_8));
        }

        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    private Raw send(String method, String path, byte[] body, String contentType, String key) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .header("Authorization", "Bearer " + key)
                .header("Accept-Language", "en")
                .method(
                        method,
                        body == null
                                ? HttpRequest.BodyPublishers.noBody()
                                : HttpRequest.BodyPublishers.ofByteArray(body));
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        HttpResponse<byte[]> res = HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
        return new Raw(
                res.statusCode(), res.headers().firstValue("Content-Type").orElse(""), res.body());
    }

    private JsonNode upload(String fileName, byte[] content, String contentType) throws Exception {
        Raw res = send(
                "POST",
                "/api/v1/member-imports?fileName=" + fileName,
                content,
                contentType,
                TestData.BOOTSTRAP_API_KEY);
        assertThat(res.status()).as(res.text()).isEqualTo(201);
        return res.json();
    }

    private static byte[] csv(Charset charset, String... lines) {
        return (String.join("\r\n", lines) + "\r\n").getBytes(charset);
    }

    @Test
    void importsACsvWithChineseHeadersReportingEveryBadAndDuplicateRow() throws Exception {
        String existing = phone();
        long existingId = fx.member("老会员", existing, store).path("id").asLong();
        String p1 = phone();
        String p2 = phone();
        String tag = TestData.unique("导入");
        byte[] file = csv(
                StandardCharsets.UTF_8,
                "\uFEFF姓名,手机号,性别,生日,门店,标签,备注",
                "张导入," + p1 + ",男,1990/5/17," + store + "," + tag + ";VIP,ok",
                "李坏号,12345,女,1991-01-01," + store + "," + tag + ",bad phone",
                "王未来," + phone() + ",女,2999-01-01," + store + "," + tag + ",future birthday",
                "赵无店," + phone() + ",男,1980-02-02,NO-SUCH-STORE," + tag + ",unknown store",
                "钱老," + existing + ",男,,," + tag + ",existing member",
                "孙重," + p1 + ",男,,," + tag + ",same phone as row 2",
                "," + phone() + ",男,,," + tag + ",no name",
                "周好," + p2 + ",女,19850303," + store + "," + tag + ",ok");
        JsonNode preview = upload("members.csv", file, "text/csv");
        assertThat(preview.path("headers").findValuesAsString("")).isEmpty();
        assertThat(preview.path("headers").toString()).contains("姓名", "手机号", "备注");
        assertThat(preview.path("sample").size()).isEqualTo(8);
        JsonNode suggested = preview.path("suggestedMapping");
        assertThat(suggested.path("姓名").asString()).isEqualTo("name");
        assertThat(suggested.path("手机号").asString()).isEqualTo("phone");
        assertThat(suggested.path("门店").asString()).isEqualTo("preferredStoreCode");
        assertThat(suggested.has("备注")).isFalse();
        long jobId = preview.path("jobId").asLong();

        var run = admin.post(
                "/api/v1/member-imports/" + jobId + "/run",
                Map.of(
                        "mapping",
                        Map.of(
                                "姓名",
                                "name",
                                "手机号",
                                "phone",
                                "性别",
                                "gender",
                                "生日",
                                "birthday",
                                "门店",
                                "preferredStoreCode",
                                "标签",
                                "tags"),
                        "mode",
                        "SKIP_BAD_ROWS"));
        assertThat(run.status()).as(run.raw()).isEqualTo(200);
        JsonNode job = run.json();
        assertThat(job.path("status").asString()).isEqualTo("DONE");
        assertThat(job.path("totalRows").asLong()).isEqualTo(8);
        assertThat(job.path("createdRows").asLong()).isEqualTo(2);
        assertThat(job.path("duplicateRows").asLong()).isEqualTo(2);
        assertThat(job.path("failedRows").asLong()).isEqualTo(4);

        var report = admin.get("/api/v1/member-imports/" + jobId + "/problems?size=50")
                .json()
                .path("items");
        List<String> lines = new ArrayList<>();
        for (JsonNode p : report) {
            lines.add(p.path("row").asLong() + ":" + p.path("field").asString() + ":"
                    + p.path("kind").asString());
        }
        assertThat(lines)
                .containsExactly(
                        "3:phone:ERROR",
                        "4:birthday:ERROR",
                        "5:preferredStoreCode:ERROR",
                        "6:phone:DUPLICATE",
                        "7:phone:DUPLICATE",
                        "8:name:ERROR");
        assertThat(report.get(3).path("message").asString()).contains(String.valueOf(existingId));
        assertThat(report.get(4).path("message").asString()).contains("row 2");
        assertThat(report.get(2).path("message").asString()).contains("NO-SUCH-STORE");

        var imported = admin.get("/api/v1/members/lookup?phone=" + p1).json().path("member");
        assertThat(imported.path("name").asString()).isEqualTo("张导入");
        assertThat(imported.path("birthday").asString()).isEqualTo("1990-05-17");
        assertThat(imported.path("tags").toString()).contains(tag, "VIP");
        JsonNode full =
                admin.get("/api/v1/members/" + imported.path("id").asLong()).json();
        assertThat(full.path("joinChannel").asString()).isEqualTo("IMPORT");
        assertThat(full.path("gender").asString()).isEqualTo("MALE");
        assertThat(full.path("namePinyin").asString()).isEqualTo("zhangdaoru");
        String card = full.path("cards").get(0).path("number").asString();
        assertThat(CardNumbers.luhnValid(card)).isTrue();
        assertThat(admin.get("/api/v1/members/lookup?card=" + card)
                        .json()
                        .path("member")
                        .path("id")
                        .asLong())
                .isEqualTo(imported.path("id").asLong());
        assertThat(admin.get("/api/v1/members/lookup?phone=" + p2)
                        .json()
                        .path("member")
                        .path("birthday")
                        .asString())
                .isEqualTo("1985-03-03");
        assertThat(admin.get("/api/v1/members?q=zdr&tag=" + TestMembers.enc(tag))
                        .json()
                        .path("totalItems")
                        .asLong())
                .isEqualTo(1);

        Raw csvReport = send(
                "GET", "/api/v1/member-imports/" + jobId + "/problems.csv", null, null, TestData.BOOTSTRAP_API_KEY);
        assertThat(csvReport.text()).contains("Row,Field,Kind,Reason").contains("3,phone,ERROR");
        assertThat(jdbc.sql(
                                "select count(*) from audit.audit_event where action = 'members.imported' and entity_id = ?")
                        .param(String.valueOf(jobId))
                        .query(Long.class)
                        .single())
                .isEqualTo(1);
        assertThat(admin.post("/api/v1/member-imports/" + jobId + "/run", Map.of("mapping", Map.of("姓名", "name")))
                        .status())
                .isEqualTo(409);
    }

    @Test
    void allOrNothingImportsNothingWhenOneRowIsBad() throws Exception {
        String good = phone();
        byte[] file = csv(
                StandardCharsets.UTF_8,
                "name,phone,birthday",
                "甲," + good + ",1990-01-01",
                "乙," + phone() + ",not a date");
        long jobId = upload("m.csv", file, "text/csv").path("jobId").asLong();
        var run = admin.post(
                "/api/v1/member-imports/" + jobId + "/run",
                Map.of(
                        "mapping",
                        Map.of("name", "name", "phone", "phone", "birthday", "birthday"),
                        "mode",
                        "ALL_OR_NOTHING"));
        assertThat(run.status()).isEqualTo(200);
        assertThat(run.json().path("status").asString()).isEqualTo("FAILED");
        assertThat(run.json().path("createdRows").asLong()).isZero();
        assertThat(run.json().path("failedRows").asLong()).isEqualTo(1);
        assertThat(admin.get("/api/v1/members/lookup?phone=" + good).status()).isEqualTo(404);
        var report = admin.get("/api/v1/member-imports/" + jobId + "/problems")
                .json()
                .path("items");
        assertThat(report.get(0).path("row").asLong()).isEqualTo(3);
        assertThat(report.get(0).path("field").asString()).isEqualTo("birthday");
    }

    @Test
    void readsGbEncodedCsvAndExcelFiles() throws Exception {
        String p1 = phone();
        byte[] gb = csv(Charset.forName("GB18030"), "姓名,手机", "欧阳锋," + p1);
        long gbJob = upload("gb.csv", gb, "text/csv").path("jobId").asLong();
        assertThat(admin.post(
                                "/api/v1/member-imports/" + gbJob + "/run",
                                Map.of("mapping", Map.of("姓名", "name", "手机", "phone")))
                        .json()
                        .path("createdRows")
                        .asLong())
                .isEqualTo(1);
        assertThat(admin.get("/api/v1/members/lookup?phone=" + p1)
                        .json()
                        .path("member")
                        .path("name")
                        .asString())
                .isEqualTo("欧阳锋");

        String p2 = phone();
        String p3 = phone();
        String legacy = TestData.unique("L");
        ByteArrayOutputStream xlsx = new ByteArrayOutputStream();
        FastExcel.write(xlsx)
                .head(List.of(List.of("会员姓名"), List.of("手机号码"), List.of("旧系统编号"), List.of("城市")))
                .sheet("会员")
                .doWrite(List.of(List.of("黄蓉", p2, legacy, "杭州"), List.of("郭靖", p3, legacy + "-2", "襄阳")));
        JsonNode preview = upload("members.xlsx", xlsx.toByteArray(), MemberTransferRestController_XLSX);
        assertThat(preview.path("format").asString()).isEqualTo("XLSX");
        assertThat(preview.path("sample").get(0).get(0).asString()).isEqualTo("黄蓉");
        var run = admin.post(
                "/api/v1/member-imports/" + preview.path("jobId").asLong() + "/run",
                Map.of("mapping", Map.of("会员姓名", "name", "手机号码", "phone", "旧系统编号", "externalId:legacy", "城市", "city")));
        assertThat(run.json().path("createdRows").asLong()).as(run.raw()).isEqualTo(2);
        var byLegacy = admin.get("/api/v1/members/lookup?system=legacy&externalId=" + legacy)
                .json()
                .path("member");
        assertThat(byLegacy.path("name").asString()).isEqualTo("黄蓉");
        assertThat(byLegacy.path("city").asString()).isEqualTo("杭州");

        var badMapping = admin.post(
                "/api/v1/member-imports/"
                        + upload("x.csv", csv(StandardCharsets.UTF_8, "a,b", "1,2"), "text/csv")
                                .path("jobId")
                                .asLong() + "/run",
                Map.of("mapping", Map.of("a", "shoeSize", "zzz", "phone")));
        assertThat(badMapping.status()).isEqualTo(400);
        assertThat(badMapping.fieldError("mapping.a")).contains("shoeSize");
        assertThat(badMapping.fieldError("mapping.zzz")).isNotNull();
        assertThat(badMapping.fieldError("mapping")).isNotNull();
        Raw wrongType = send(
                "POST",
                "/api/v1/member-imports?fileName=members.pdf",
                new byte[] {1, 2},
                "application/octet-stream",
                TestData.BOOTSTRAP_API_KEY);
        assertThat(wrongType.status()).isEqualTo(400);
    }

    static final String MemberTransferRestController_XLSX =
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

    @Test
    void aPrePrintedCardHoldingTheNextGeneratedNumberMakesTheImportTakeAnother() throws Exception {
        long next = jdbc.sql(
                        "select case when is_called then last_value + 1 else last_value end from members.card_number_seq")
                .query(Long.class)
                .single();
        String taken = CardNumbers.generate(MemberRulesTests.CARDS, next);
        var holder = admin.post("/api/v1/members", Map.of("name", "卡主", "phone", phone(), "cardNumber", taken));
        assertThat(holder.status()).as(holder.raw()).isEqualTo(201);
        String csv = "name,phone\n卡一," + phone() + "\n卡二," + phone() + "\n";
        long jobId = upload("cards.csv", csv.getBytes(StandardCharsets.UTF_8), "text/csv")
                .path("jobId")
                .asLong();
        var run = admin.post(
                "/api/v1/member-imports/" + jobId + "/run",
                Map.of("mapping", Map.of("name", "name", "phone", "phone"), "mode", "ALL_OR_NOTHING"));
        assertThat(run.status()).as(run.raw()).isEqualTo(200);
        assertThat(run.json().path("createdRows").asLong()).isEqualTo(2);
        List<String> numbers = jdbc.sql("""
                        select c.number from members.card c join members.member m on m.id = c.member_id
                        where m.name in ('卡一', '卡二') and c.issued_at > now() - interval '1 minute'""").query(String.class).list();
        assertThat(numbers).hasSize(2).doesNotContain(taken).allMatch(CardNumbers::luhnValid);
    }

    @Test
    void importsManyRowsInBatches() throws Exception {
        int rows = 12_000;
        String tag = TestData.unique("BULK");
        StringBuilder sb = new StringBuilder("name,phone,tags\n");
        List<String> phones = new ArrayList<>();
        for (int i = 0; i < rows; i++) {
            String p = phone();
            phones.add(p);
            sb.append("批量")
                    .append(i)
                    .append(',')
                    .append(i % 1000 == 7 ? "bad" : p)
                    .append(',')
                    .append(tag)
                    .append('\n');
        }
        long jobId = upload("bulk.csv", sb.toString().getBytes(StandardCharsets.UTF_8), "text/csv")
                .path("jobId")
                .asLong();
        var run = admin.post(
                "/api/v1/member-imports/" + jobId + "/run",
                Map.of("mapping", Map.of("name", "name", "phone", "phone", "tags", "tags"), "mode", "SKIP_BAD_ROWS"));
        assertThat(run.status()).as(run.raw()).isEqualTo(200);
        assertThat(run.json().path("createdRows").asLong()).isEqualTo(rows - 12);
        assertThat(run.json().path("failedRows").asLong()).isEqualTo(12);
        var listed = admin.get("/api/v1/members?tag=" + tag + "&size=1").json();
        assertThat(listed.path("totalItems").asLong())
                .as("the list counts up to patron.members.search-count-limit")
                .isEqualTo(10_000);
        assertThat(listed.path("totalExact").asBoolean()).isFalse();
        assertThat(jdbc.sql(
                                "select count(*) from members.member_tag mt join members.tag t on t.id = mt.tag_id where t.name = ?")
                        .param(tag)
                        .query(Long.class)
                        .single())
                .isEqualTo(rows - 12);
        assertThat(jdbc.sql(
                                "select count(distinct c.number) from members.card c join members.member_tag mt on mt.member_id = c.member_id "
                                        + "join members.tag t on t.id = mt.tag_id where t.name = ?")
                        .param(tag)
                        .query(Long.class)
                        .single())
                .isEqualTo(rows - 12);
        assertThat(admin.get("/api/v1/members/lookup?phone=" + phones.get(rows - 1))
                        .status())
                .isEqualTo(200);
        assertThat(jdbc.sql("select count(*) from members.import_row where job_id = ?")
                        .param(jobId)
                        .query(Long.class)
                        .single())
                .isZero();
    }

    @Test
    void onlyAdminsImport() throws Exception {
        ApiClient manager = fx.as(Role.STORE_MANAGER, store);
        String key = managerKey();
        Raw res = send(
                "POST",
                "/api/v1/member-imports?fileName=m.csv",
                csv(StandardCharsets.UTF_8, "name", "x"),
                "text/csv",
                key);
        assertThat(res.status()).isEqualTo(403);
        assertThat(manager.get("/api/v1/member-imports/1").status()).isEqualTo(403);
    }

    private String managerKey() {
        var res = admin.post(
                "/api/v1/api-keys",
                Map.of("name", TestData.unique("key"), "roles", List.of("MARKETER"), "allStores", true));
        return res.json().path("secret").asString();
    }

    @Test
    void exportsTheFilteredListMaskedByRoleAndAudited() throws Exception {
        String tag = TestData.unique("EXP");
        String p1 = phone();
        fx.member(with(
                "name",
                "导出甲",
                "phone",
                p1,
                "email",
                "exp-" + p1 + "@example.com",
                "preferredStoreCode",
                store,
                "tags",
                List.of(tag)));
        fx.member(with("name", "导出乙", "phone", phone(), "preferredStoreCode", store, "tags", List.of(tag)));

        Raw asAdmin = send(
                "GET",
                "/api/v1/members/export?format=csv&tag=" + TestMembers.enc(tag),
                null,
                null,
                TestData.BOOTSTRAP_API_KEY);
        assertThat(asAdmin.status()).isEqualTo(200);
        assertThat(asAdmin.contentType()).startsWith("text/csv");
        String text = asAdmin.text();
        assertThat(text).startsWith("\uFEFFMember id,Name,Phone");
        assertThat(text).contains("导出甲", "导出乙", "+86" + p1, "exp-" + p1 + "@example.com");
        assertThat(text.lines().count()).isEqualTo(3);

        String marketer = managerKey();
        Raw masked = send("GET", "/api/v1/members/export?format=csv&tag=" + TestMembers.enc(tag), null, null, marketer);
        assertThat(masked.text())
                .contains("导出甲")
                .contains(p1.substring(0, 3) + "****" + p1.substring(7))
                .doesNotContain(p1)
                .contains("e***@example.com");

        Raw xlsx = send(
                "GET",
                "/api/v1/members/export?format=xlsx&tag=" + TestMembers.enc(tag),
                null,
                null,
                TestData.BOOTSTRAP_API_KEY);
        assertThat(xlsx.status()).isEqualTo(200);
        List<Map<Integer, String>> sheet = FastExcel.read(new ByteArrayInputStream(xlsx.body()))
                .sheet(0)
                .headRowNumber(1)
                .doReadSync();
        assertThat(sheet).hasSize(2);
        assertThat(sheet.get(0).get(1)).isEqualTo("导出甲");

        assertThat(jdbc.sql(
                                "select count(*) from audit.audit_event where action = 'members.exported' and details->>'tag' = ?")
                        .param(tag)
                        .query(Long.class)
                        .single())
                .isEqualTo(3);
        assertThat(jdbc.sql(
                                "select count(*) from audit.audit_event where action = 'members.exported' and details->>'tag' = ? and (details->>'masked')::boolean")
                        .param(tag)
                        .query(Long.class)
                        .single())
                .isEqualTo(1);
        assertThat(fx.as(Role.COUNTER_STAFF, store)
                        .get("/api/v1/members/export?tag=x")
                        .status())
                .isEqualTo(403);
        assertThat(admin.get("/api/v1/members/export?format=pdf").status()).isEqualTo(400);
    }

    /** URL encoding for query values. */
    static final class TestMembers {
        static String enc(String s) {
            return java.net.URLEncoder.encode(s, StandardCharsets.UTF_8);
        }
    }
}
