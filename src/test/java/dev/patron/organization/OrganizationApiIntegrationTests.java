package dev.patron.organization;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patron.ApiClient;
import dev.patron.PatronIntegrationTest;
import dev.patron.TestData;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;

/** The organisation REST API over real HTTP, as an integration (POS, ERP) would call it. */
@PatronIntegrationTest
class OrganizationApiIntegrationTests {

    @LocalServerPort
    int port;

    @Autowired
    JdbcClient jdbc;

    ApiClient api;
    String region;

    @BeforeEach
    void setUp() {
        api = new ApiClient(port, TestData.BOOTSTRAP_API_KEY);
        region = TestData.unique("R");
        assertThat(api.post("/api/v1/regions", Map.of("code", region, "name", "华东区"))
                        .status())
                .isEqualTo(201);
    }

    static Map<String, Object> store(String code, String region) {
        return Map.of("code", code, "name", "阳光百货测试店", "regionCode", region, "city", "上海", "timeZone", "Asia/Shanghai");
    }

    @Autowired
    OrganizationManagement organization;

    /** The store form offers every region, however many: it once offered the first 200 by code. */
    @Test
    void theStoreFormsRegionChoiceHoldsEveryRegion() {
        Long existing = jdbc.sql("select count(*) from organization.region")
                .query(Long.class)
                .single();
        for (long i = existing; i <= dev.patron.shared.web.PageQuery.MAX_SIZE; i++) {
            organization.createRegion(new RegionCommand(TestData.unique("RA"), "区域 " + i));
        }
        String last = organization
                .createRegion(new RegionCommand("ZZ" + TestData.unique("").replace("-", ""), "最后的区域"))
                .code();
        List<String> codes =
                organization.allRegions().stream().map(Region::code).toList();
        assertThat(codes)
                .hasSizeGreaterThan(dev.patron.shared.web.PageQuery.MAX_SIZE)
                .contains(last);
    }

    @Test
    void createsAStoreAndReadsItBackByCode() {
        String code = TestData.unique("s").toLowerCase();
        var created = api.post("/api/v1/stores", store(code, region));
        assertThat(created.status()).isEqualTo(201);
        assertThat(created.json().path("code").asString()).isEqualTo(code.toUpperCase());
        assertThat(created.json().path("regionCode").asString()).isEqualTo(region);
        assertThat(created.json().path("status").asString()).isEqualTo("ACTIVE");

        var read = api.get("/api/v1/stores/" + code);
        assertThat(read.status()).isEqualTo(200);
        assertThat(read.json().path("name").asString()).isEqualTo("阳光百货测试店");
        assertThat(auditActions("store", code.toUpperCase())).contains("store.created");
    }

    @Test
    void listsStoresPagedWithSearchAndSort() {
        String prefix = TestData.unique("PG");
        for (int i = 1; i <= 3; i++) {
            assertThat(api.post("/api/v1/stores", store(prefix + "-" + i, region))
                            .status())
                    .isEqualTo(201);
        }
        var page = api.get("/api/v1/stores?q=" + prefix + "&size=2&sort=-code");
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.json().path("totalItems").asLong()).isEqualTo(3);
        assertThat(page.json().path("items").size()).isEqualTo(2);
        assertThat(page.json().path("items").get(0).path("code").asString()).isEqualTo(prefix + "-3");
        var second = api.get("/api/v1/stores?q=" + prefix + "&size=2&page=1&sort=-code");
        assertThat(second.json().path("items").get(0).path("code").asString()).isEqualTo(prefix + "-1");
    }

    @Test
    void rejectsAnUnknownSortKeyNamingTheParameter() {
        var res = api.get("/api/v1/stores?sort=password");
        assertThat(res.status()).isEqualTo(400);
        assertThat(res.fieldError("sort")).contains("code");
    }

    @Test
    void rejectsADuplicateStoreCodeWith409AndWritesNothing() {
        String code = TestData.unique("DUP");
        assertThat(api.post("/api/v1/stores", store(code, region)).status()).isEqualTo(201);
        var again =
                api.post("/api/v1/stores", Map.of("code", code.toLowerCase(), "name", "Other", "regionCode", region));
        assertThat(again.status()).isEqualTo(409);
        assertThat(again.contentType()).startsWith("application/problem+json");
        assertThat(again.fieldError("code")).contains(code);
        assertThat(jdbc.sql("select count(*) from organization.store where code = ?")
                        .param(code)
                        .query(Long.class)
                        .single())
                .isEqualTo(1);
    }

    @Test
    void rejectsInvalidFieldsWithAFieldLevelListInTheCallersLanguage() {
        var res = api.post(
                "/api/v1/stores",
                Map.of("code", "bad code!", "name", "", "regionCode", region, "openedOn", "2999-01-01"));
        assertThat(res.status()).isEqualTo(400);
        assertThat(res.contentType()).startsWith("application/problem+json");
        assertThat(res.fieldError("code")).contains("letters");
        assertThat(res.fieldError("name")).isEqualTo("must not be empty");
        assertThat(res.fieldError("openedOn")).isEqualTo("must not be in the future");

        var zh = api.inLanguage("zh-CN").post("/api/v1/stores", Map.of("code", "X1", "name", "", "regionCode", region));
        assertThat(zh.status()).isEqualTo(400);
        assertThat(zh.fieldError("name")).isEqualTo("不能为空");
        assertThat(zh.detail()).isEqualTo("部分字段填写有误。");
    }

    @Test
    void rejectsAnUnknownRegionWith404NamingTheField() {
        var res = api.post("/api/v1/stores", store(TestData.unique("S"), "NO-SUCH-REGION"));
        assertThat(res.status()).isEqualTo(404);
        assertThat(res.fieldError("regionCode")).contains("NO-SUCH-REGION");
    }

    @Test
    void rejectsMalformedJsonAndUnknownFieldsWith400() {
        var malformed = api.post("/api/v1/stores", "{\"code\": \"A1\", ");
        assertThat(malformed.status()).isEqualTo(400);
        assertThat(malformed.detail()).isEqualTo("The request body is not valid JSON.");

        var unknown = api.post(
                "/api/v1/stores",
                "{\"code\":\"A1\",\"name\":\"x\",\"regionCode\":\"" + region + "\",\"colour\":\"red\"}");
        assertThat(unknown.status()).isEqualTo(400);
        assertThat(unknown.fieldError("colour")).contains("Unknown field");

        var wrongType = api.post(
                "/api/v1/stores",
                "{\"code\":\"A1\",\"name\":\"x\",\"regionCode\":\"" + region + "\",\"openedOn\":\"yesterday\"}");
        assertThat(wrongType.status()).isEqualTo(400);
        assertThat(wrongType.fieldError("openedOn")).isNotNull();
    }

    @Test
    void rejectsABadTimeZone() {
        var res = api.post(
                "/api/v1/stores",
                Map.of("code", TestData.unique("TZ"), "name", "x", "regionCode", region, "timeZone", "Mars/Olympus"));
        assertThat(res.status()).isEqualTo(400);
        assertThat(res.fieldError("timeZone")).contains("time zone");
    }

    @Test
    void unknownStoreIs404ProblemJson() {
        var res = api.get("/api/v1/stores/NOPE-" + TestData.unique("X"));
        assertThat(res.status()).isEqualTo(404);
        assertThat(res.contentType()).startsWith("application/problem+json");
        assertThat(res.json().path("status").asInt()).isEqualTo(404);
    }

    @Test
    void updatesAStoreAndKeepsItsCounters() {
        String code = TestData.unique("UPD");
        api.post("/api/v1/stores", store(code, region));
        String counter = TestData.unique("C");
        assertThat(api.post(
                                "/api/v1/counters",
                                Map.of("code", counter, "name", "专柜", "storeCode", code, "supplierName", "上海某服饰有限公司"))
                        .status())
                .isEqualTo(201);
        var updated = api.put(
                "/api/v1/stores/" + code,
                Map.of("code", code, "name", "新名字", "regionCode", region, "status", "CLOSED"));
        assertThat(updated.status()).isEqualTo(200);
        assertThat(updated.json().path("name").asString()).isEqualTo("新名字");
        assertThat(updated.json().path("status").asString()).isEqualTo("CLOSED");
        assertThat(updated.json().path("counterCount").asInt()).isEqualTo(1);
    }

    @Test
    void createsACounterWithBrandsAndFiltersByBrand() {
        String store = TestData.unique("S");
        api.post("/api/v1/stores", store(store, region));
        String brand1 = TestData.unique("B");
        String brand2 = TestData.unique("B");
        assertThat(api.post("/api/v1/brands", Map.of("code", brand1, "name", "雅琳"))
                        .status())
                .isEqualTo(201);
        assertThat(api.post("/api/v1/brands", Map.of("code", brand2, "name", "君度", "nameEn", "Junedu"))
                        .status())
                .isEqualTo(201);
        String counter = TestData.unique("C");
        var created = api.post(
                "/api/v1/counters",
                Map.of(
                        "code",
                        counter,
                        "name",
                        "雅琳专柜",
                        "storeCode",
                        store,
                        "supplierName",
                        "杭州雅琳服饰有限公司",
                        "floor",
                        "2F",
                        "brandCodes",
                        List.of(brand2, brand1, brand1)));
        assertThat(created.status()).isEqualTo(201);
        assertThat(created.json().path("brandCodes").size()).isEqualTo(2);
        assertThat(created.json().path("storeCode").asString()).isEqualTo(store);

        var byBrand = api.get("/api/v1/counters?brand=" + brand2);
        assertThat(byBrand.json().path("items").findValuesAsString("code")).containsExactly(counter);
    }

    @Test
    void rejectsACounterWithAnUnknownBrandWithoutWritingIt() {
        String store = TestData.unique("S");
        api.post("/api/v1/stores", store(store, region));
        String counter = TestData.unique("C");
        var res = api.post(
                "/api/v1/counters",
                Map.of(
                        "code",
                        counter,
                        "name",
                        "x",
                        "storeCode",
                        store,
                        "supplierName",
                        "y",
                        "brandCodes",
                        List.of("NO-SUCH-BRAND")));
        assertThat(res.status()).isEqualTo(404);
        assertThat(res.fieldError("brandCodes[0]")).contains("NO-SUCH-BRAND");
        assertThat(api.get("/api/v1/counters/" + counter).status()).isEqualTo(404);
    }

    @Test
    void buildsACategoryTreeAndRefusesCycles() {
        String top = TestData.unique("CAT");
        String child = TestData.unique("CAT");
        String grandChild = TestData.unique("CAT");
        assertThat(api.post("/api/v1/categories", Map.of("code", top, "name", "箱包皮具"))
                        .status())
                .isEqualTo(201);
        assertThat(api.post("/api/v1/categories", Map.of("code", child, "name", "女包", "parentCode", top))
                        .status())
                .isEqualTo(201);
        var gc = api.post("/api/v1/categories", Map.of("code", grandChild, "name", "手提包", "parentCode", child));
        assertThat(gc.json().path("depth").asInt()).isEqualTo(2);

        var tree = api.get("/api/v1/categories");
        List<String> codes = tree.json().findValuesAsString("code");
        assertThat(codes.indexOf(top)).isLessThan(codes.indexOf(child));
        assertThat(codes.indexOf(child)).isLessThan(codes.indexOf(grandChild));

        var cycle = api.put("/api/v1/categories/" + top, Map.of("code", top, "name", "箱包皮具", "parentCode", grandChild));
        assertThat(cycle.status()).isEqualTo(400);
        assertThat(cycle.fieldError("parentCode")).isNotNull();

        var moved = api.put("/api/v1/categories/" + child, Map.of("code", child, "name", "女包"));
        assertThat(moved.json().path("depth").asInt()).isZero();
        assertThat(api.get("/api/v1/categories/" + grandChild)
                        .json()
                        .path("depth")
                        .asInt())
                .isEqualTo(1);
    }

    @Test
    void refusesCategoriesDeeperThanTheLimit() {
        String parent = null;
        for (int i = 0; i < OrganizationManagement.MAX_CATEGORY_DEPTH; i++) {
            String code = TestData.unique("D");
            var body = parent == null
                    ? Map.of("code", code, "name", "L" + i)
                    : Map.of("code", code, "name", "L" + i, "parentCode", parent);
            assertThat(api.post("/api/v1/categories", body).status()).isEqualTo(201);
            parent = code;
        }
        var tooDeep = api.post(
                "/api/v1/categories", Map.of("code", TestData.unique("D"), "name", "too deep", "parentCode", parent));
        assertThat(tooDeep.status()).isEqualTo(400);
        assertThat(tooDeep.fieldError("parentCode")).contains("5");
    }

    @Test
    void brandCategoryMustExist() {
        var res = api.post("/api/v1/brands", Map.of("code", TestData.unique("B"), "name", "x", "categoryCode", "NOPE"));
        assertThat(res.status()).isEqualTo(404);
        assertThat(res.fieldError("categoryCode")).contains("NOPE");
    }

    @Test
    void headOfficeCanBeReadAndRenamedByAdmins() {
        var current = api.get("/api/v1/head-office");
        assertThat(current.status()).isEqualTo(200);
        assertThat(current.json().path("currency").asString()).isEqualTo("CNY");
        var renamed = api.put(
                "/api/v1/head-office",
                Map.of("code", "hq", "name", "阳光百货集团总部", "legalName", "阳光百货集团有限公司", "timeZone", "Asia/Shanghai"));
        assertThat(renamed.status()).isEqualTo(200);
        assertThat(renamed.json().path("code").asString()).isEqualTo("HQ");
        assertThat(renamed.json().path("name").asString()).isEqualTo("阳光百货集团总部");
        var badZone = api.put("/api/v1/head-office", Map.of("code", "HQ", "name", "x", "timeZone", "Nowhere/Town"));
        assertThat(badZone.status()).isEqualTo(400);
        assertThat(badZone.fieldError("timeZone")).isNotNull();
    }

    @Test
    void openApiDescribesTheOrganisationEndpoints() {
        var res = new ApiClient(port, null).get("/api/openapi.json");
        assertThat(res.status()).isEqualTo(200);
        assertThat(res.json().path("paths").has("/api/v1/stores")).isTrue();
        assertThat(res.json().path("paths").has("/api/v1/counters")).isTrue();
        assertThat(res.json().path("paths").has("/api/v1/brands")).isTrue();
        assertThat(res.json().path("paths").has("/api/v1/categories")).isTrue();
    }

    private List<String> auditActions(String type, String id) {
        return jdbc.sql("select action from audit.audit_event where entity_type = ? and entity_id = ? order by id")
                .params(type, id)
                .query(String.class)
                .list();
    }
}
