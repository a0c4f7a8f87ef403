package dev.patron.segments;

import static dev.patron.sales.SalesFixtures.line;
import static dev.patron.sales.SalesFixtures.with;
import static org.assertj.core.api.Assertions.assertThat;

import dev.patron.ApiClient;
import dev.patron.PatronIntegrationTest;
import dev.patron.TestData;
import dev.patron.sales.SalesFixtures;
import dev.patron.shared.security.Role;
import java.time.Duration;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.json.JsonMapper;

/**
 * Rule segments and static lists over real HTTP and PostgreSQL: the definition round trip,
 * validation naming the condition (both languages), warnings for a deactivated brand, incremental
 * re-evaluation agreeing with a full refresh after a seeded random sequence of sales, returns,
 * profile edits and tier changes, time-window expiry by the daily refresh with a later day, facts
 * and RFM conditions, static list upload, snapshots and roles. Every segment here is limited to a
 * static list of this test's members, so other tests' data never changes the expectations.
 */
@PatronIntegrationTest
class SegmentIntegrationTests {

    static final JsonMapper JSON = JsonMapper.builder().build();

    @LocalServerPort
    int port;

    @Autowired
    JdbcClient jdbc;

    @Autowired
    SegmentRefresh refresh;

    @Autowired
    FactsRefreshJob nightly;

    @Autowired
    TransactionTemplate tx;

    @Autowired
    ApplicationEventPublisher events;

    ApiClient admin;
    SalesFixtures fx;
    OffsetDateTime started;

    @BeforeEach
    void setUp() {
        admin = new ApiClient(port, TestData.BOOTSTRAP_API_KEY);
        fx = new SalesFixtures(admin);
        started = jdbc.sql("select now()").query(OffsetDateTime.class).single();
    }

    // ------------------------------------------------------------------ helpers

    private LocalDate today() {
        return refresh.today();
    }

    private long member(String name) {
        return fx.member(name + TestData.unique("")).path("id").asLong();
    }

    /** A static list of the given members (uploaded by member id); returns its segment id. */
    private long list(List<Long> members) {
        StringBuilder content = new StringBuilder("member_id\n");
        members.forEach(m -> content.append(m).append('\n'));
        var res = admin.post(
                "/api/v1/segments/static",
                Map.of("name", TestData.unique("名单"), "identifierKind", "MEMBER_ID", "content", content.toString()));
        assertThat(res.status()).as(res.raw()).isEqualTo(201);
        return res.json().path("segment").path("id").asLong();
    }

    private static Map<String, Object> cond(String field, String operator, Object value) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("field", field);
        c.put("operator", operator);
        if (value != null) {
            c.put("value", value);
        }
        return c;
    }

    private static Map<String, Object> group(String op, Object... items) {
        return Map.of("group", op, "items", List.of(items));
    }

    private static Map<String, Object> def(Map<String, Object> root) {
        return Map.of("version", 1, "root", root);
    }

    /** A rule segment limited to the static list {@code list}; returns its id. */
    private long segment(long list, Map<String, Object> condition) {
        var res = admin.post(
                "/api/v1/segments",
                Map.of(
                        "name",
                        TestData.unique("分群"),
                        "definition",
                        def(group("AND", cond("inList", "in", List.of(list)), condition))));
        assertThat(res.status()).as(res.raw()).isEqualTo(201);
        return res.json().path("id").asLong();
    }

    private String buy(long member, String brand, long fen, LocalDate day) {
        String txn = TestData.unique("T");
        var res = admin.post(
                "/api/v1/sales",
                with(
                        fx.sale(txn, fen, List.of(line("S", fx.counterA, brand, 1, fen, 0))),
                        "memberId",
                        member,
                        "businessDate",
                        day.toString(),
                        "occurredAt",
                        day + "T11:00:00+08:00"));
        assertThat(res.status()).as(res.raw()).isEqualTo(201);
        return txn;
    }

    /** Waits until the loyalty and segments listeners handled every event published since the test started. */
    private void settle() {
        org.awaitility.Awaitility.await()
                .atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(50))
                .until(() -> jdbc.sql("""
                                        select count(*) from sales.feed_delivery
                                        where consumer in ('loyalty', 'segments.facts')""").query(Long.class).single() == 0
                        && jdbc.sql("""
                                select count(*) from event_publication where completion_date is null
                                and publication_date >= ? and (listener_id like 'dev.patron.segments.%'
                                    or listener_id like 'dev.patron.loyalty.%')""").param(started).query(Long.class).single() == 0);
    }

    private Set<Long> members(long segment) {
        return new TreeSet<>(jdbc.sql("select member_id from segments.segment_member where segment_id = ?")
                .param(segment)
                .query(Long.class)
                .list());
    }

    private Set<Long> segmentsOf(long member) {
        var res = admin.get("/api/v1/members/" + member + "/segments");
        assertThat(res.status()).as(res.raw()).isEqualTo(200);
        Set<Long> ids = new TreeSet<>();
        res.json().forEach(s -> ids.add(s.path("segmentId").asLong()));
        return ids;
    }

    // ------------------------------------------------------------------ tests

    @Test
    void aDefinitionComesBackAsItWasSaved() {
        Map<String, Object> bought = new LinkedHashMap<>(cond("bought", "inLastDays", null));
        bought.put("brand", fx.brandA);
        bought.put("store", fx.store);
        bought.put("days", 30);
        bought.put("minAmountFen", 50_000);
        Map<String, Object> notBought = new LinkedHashMap<>(cond("notBought", "inLastDays", null));
        notBought.put("days", 90);
        var definition = def(group(
                "AND",
                cond("gender", "eq", "FEMALE"),
                cond("ageBand", "in", List.of("25_34", "35_44")),
                cond("city", "in", List.of("上海", "杭州")),
                cond("tags", "hasAny", List.of("VIP")),
                cond("tier", "in", List.of("THREE_STAR", "FOUR_STAR")),
                cond("joinChannel", "ne", "IMPORT"),
                cond("joinDate", "between", List.of("2020-01-01", "2026-12-31")),
                group(
                        "OR",
                        bought,
                        notBought,
                        cond("birthday", "nextDays", 7),
                        cond("spend12mFen", "between", List.of(100_000, 9_000_000)),
                        cond("rfmCell", "in", List.of("ACTIVE_FAN", "SILENT_OLD")),
                        cond("mScore", "gte", 4),
                        cond("favouriteBrand", "eq", fx.brandB),
                        cond("pointsBalance", "gt", 1000),
                        cond("recencyDays", "lte", 30))));
        var created =
                admin.post("/api/v1/segments", Map.of("name", TestData.unique("高价值女性"), "definition", definition));
        assertThat(created.status()).as(created.raw()).isEqualTo(201);
        var read = admin.get("/api/v1/segments/" + created.json().path("id").asLong());
        assertThat(read.status()).isEqualTo(200);
        assertThat(read.json().path("definition")).isEqualTo(JSON.readTree(JSON.writeValueAsString(definition)));
        assertThat(read.json().path("kind").asString()).isEqualTo("RULE");
        assertThat(read.json().path("warnings")).isEmpty();

        // changed with PUT: the new definition replaces the old one
        var changed = def(group("OR", cond("gender", "eq", "MALE")));
        var put = admin.put(
                "/api/v1/segments/" + created.json().path("id").asLong(),
                Map.of("name", read.json().path("name").asString(), "description", "改", "definition", changed));
        assertThat(put.status()).as(put.raw()).isEqualTo(200);
        assertThat(put.json().path("definition")).isEqualTo(JSON.readTree(JSON.writeValueAsString(changed)));
        assertThat(put.json().path("description").asString()).isEqualTo("改");
    }

    @Test
    void definitionsThatCannotBeEvaluatedAreRefusedNamingTheCondition() {
        Map<String, Object> bought = new LinkedHashMap<>(cond("bought", "inLastDays", null));
        bought.put("brand", "NO-SUCH-BRAND");
        bought.put("days", 30);
        var bad = def(group(
                "AND",
                cond("colour", "eq", "red"),
                cond("recencyDays", "hasAny", List.of(1)),
                cond("spend12mFen", "gte", "a lot"),
                bought,
                cond("gender", "eq", "ROBOT")));
        var res = admin.post("/api/v1/segments", Map.of("name", TestData.unique("坏"), "definition", bad));
        assertThat(res.status()).as(res.raw()).isEqualTo(400);
        assertThat(res.contentType()).contains("problem+json");
        assertThat(res.fieldError("definition.root.items[0].field"))
                .isEqualTo("Condition 1: unknown field \"colour\".");
        assertThat(res.fieldError("definition.root.items[1].operator"))
                .startsWith("Condition 2: \"hasAny\" is not an operator of recencyDays");
        assertThat(res.fieldError("definition.root.items[2].value"))
                .isEqualTo("Condition 3: the value must be a whole number.");
        assertThat(res.fieldError("definition.root.items[3].brand"))
                .isEqualTo("Condition 4: there is no brand \"NO-SUCH-BRAND\".");
        assertThat(res.fieldError("definition.root.items[4].value")).startsWith("Condition 5: \"ROBOT\" is not one of");

        var zh = admin.inLanguage("zh-CN")
                .post("/api/v1/segments", Map.of("name", TestData.unique("坏"), "definition", bad));
        assertThat(zh.status()).isEqualTo(400);
        assertThat(zh.fieldError("definition.root.items[0].field")).isEqualTo("条件 1：未知字段“colour”。");

        var preview = admin.post("/api/v1/segments/preview", bad);
        assertThat(preview.status()).isEqualTo(400);
        assertThat(preview.fieldError("definition.root.items[0].field")).isNotNull();

        var noName =
                admin.post("/api/v1/segments", Map.of("definition", def(group("AND", cond("gender", "eq", "MALE")))));
        assertThat(noName.status()).isEqualTo(400);
        assertThat(noName.fieldError("name")).isEqualTo("must not be empty");
        var emptyGroup = admin.post("/api/v1/segments", Map.of("name", "x", "definition", def(group("AND"))));
        assertThat(emptyGroup.status()).isEqualTo(400);
        assertThat(emptyGroup.fieldError("definition.root.items")).isEqualTo("A group needs at least one condition.");
        var badVersion = admin.post(
                "/api/v1/segments",
                Map.of(
                        "name",
                        "x",
                        "definition",
                        Map.of("version", 2, "root", group("AND", cond("gender", "eq", "MALE")))));
        assertThat(badVersion.fieldError("definition.version")).isEqualTo("The definition version must be 1.");
    }

    @Test
    void aSegmentWhoseBrandWasDeactivatedKeepsWorkingWithAWarning() {
        long m = member("停用品牌");
        long l = list(List.of(m));
        buy(m, fx.brandB, 30_000, today().minusDays(1));
        Map<String, Object> bought = new LinkedHashMap<>(cond("bought", "inLastDays", null));
        bought.put("brand", fx.brandB);
        bought.put("days", 30);
        long s = segment(l, bought);
        settle();
        assertThat(members(s)).containsExactly(m);

        var put =
                admin.put("/api/v1/brands/" + fx.brandB, Map.of("code", fx.brandB, "name", "君度", "status", "INACTIVE"));
        assertThat(put.status()).as(put.raw()).isEqualTo(200);
        var refreshed = admin.post("/api/v1/segments/" + s + "/refresh", Map.of());
        assertThat(refreshed.status()).as(refreshed.raw()).isEqualTo(200);
        assertThat(refreshed.json().path("memberCount").asInt()).isEqualTo(1);
        assertThat(refreshed.json().path("warnings").get(0).asString())
                .isEqualTo("Condition 2: brand \"" + fx.brandB
                        + "\" is deactivated; the condition still uses its past sales.");
    }

    @Test
    void incrementalMembershipsAgreeWithAFullRefreshAfterRandomEvents() {
        List<Long> people = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            people.add(member("随机"));
        }
        long l = list(people);
        Map<String, Object> boughtA = new LinkedHashMap<>(cond("bought", "inLastDays", null));
        boughtA.put("brand", fx.brandA);
        boughtA.put("days", 14);
        Map<String, Object> boughtB = new LinkedHashMap<>(cond("bought", "inLastDays", null));
        boughtB.put("brand", fx.brandB);
        boughtB.put("days", 60);
        boughtB.put("minAmountFen", 100_000);
        Map<String, Object> notBought = new LinkedHashMap<>(cond("notBought", "inLastDays", null));
        notBought.put("days", 5);
        List<Long> segments = List.of(
                segment(l, boughtA),
                segment(l, notBought),
                segment(l, cond("city", "eq", "杭州")),
                segment(l, cond("tier", "in", List.of("THREE_STAR", "FOUR_STAR", "FIVE_STAR"))),
                segment(l, group("OR", cond("gender", "eq", "FEMALE"), boughtB)),
                segment(l, group("AND", cond("tier", "ne", "STANDARD"), cond("city", "ne", "杭州"))));

        Random random = new Random(20261126L);
        Map<Long, List<String>> open = new HashMap<>();
        List<String> tiers = List.of("STANDARD", "THREE_STAR", "FOUR_STAR", "FIVE_STAR");
        for (int step = 0; step < 36; step++) {
            long m = people.get(random.nextInt(people.size()));
            switch (random.nextInt(4)) {
                case 0 -> {
                    String brand = random.nextBoolean() ? fx.brandA : fx.brandB;
                    long fen = 1_000 + random.nextInt(300_000);
                    String txn = buy(m, brand, fen, today().minusDays(random.nextInt(20)));
                    open.computeIfAbsent(m, k -> new ArrayList<>()).add(txn);
                }
                case 1 -> {
                    List<String> txns = open.getOrDefault(m, List.of());
                    if (!txns.isEmpty()) {
                        String txn = txns.remove(random.nextInt(txns.size()));
                        var res = admin.post("/api/v1/returns", fx.fullReturn(txn));
                        assertThat(res.status()).as(res.raw()).isEqualTo(201);
                    }
                }
                case 2 -> {
                    var res = admin.send(
                            "PATCH",
                            "/api/v1/members/" + m,
                            JSON.writeValueAsString(Map.of(
                                    "city", random.nextBoolean() ? "杭州" : "上海",
                                    "gender", random.nextBoolean() ? "FEMALE" : "MALE")));
                    assertThat(res.status()).as(res.raw()).isEqualTo(200);
                }
                default -> {
                    var res = admin.post(
                            "/api/v1/members/" + m + "/tier/override",
                            Map.of(
                                    "tierCode", tiers.get(random.nextInt(tiers.size())),
                                    "reason", "随机测试",
                                    "until", today().plusDays(10).toString()));
                    assertThat(res.status()).as(res.raw()).isEqualTo(200);
                }
            }
        }
        settle();
        Map<Long, Set<Long>> incremental = new LinkedHashMap<>();
        segments.forEach(s -> incremental.put(s, members(s)));
        Map<Long, Set<Long>> batch = new LinkedHashMap<>();
        for (long s : segments) {
            SegmentRefresh.Result r = tx.execute(t -> refresh.refresh(s, today(), "REFRESH"));
            assertThat(r.joined() + r.left())
                    .as("segment %s changed in the full refresh", s)
                    .isZero();
            batch.put(s, members(s));
        }
        assertThat(batch).isEqualTo(incremental);
        assertThat(incremental.values().stream().mapToInt(Set::size).sum())
                .as("memberships exist")
                .isPositive();
        // the API answers the same memberships per member
        for (long m : people) {
            Set<Long> expected = new TreeSet<>();
            incremental.forEach((s, ms) -> {
                if (ms.contains(m)) {
                    expected.add(s);
                }
            });
            expected.add(l);
            assertThat(segmentsOf(m)).containsAll(expected);
        }
    }

    @Test
    void aTierChangeReevaluatesOnlyTheSegmentsThatReadTheTier() {
        long m = member("只看等级");
        long l = list(List.of(m));
        long byTier = segment(l, cond("tier", "in", List.of("FOUR_STAR")));
        long byCity = segment(l, cond("city", "eq", "苏州"));
        settle();
        assertThat(members(byTier)).isEmpty();
        assertThat(members(byCity)).isEmpty();
        // the city changes behind the application's back (no MemberUpdated): only a re-evaluation
        // of the city segment could see it
        jdbc.sql("update members.member set city = '苏州' where id = ?").param(m).update();
        var res = admin.post(
                "/api/v1/members/" + m + "/tier/override",
                Map.of(
                        "tierCode",
                        "FOUR_STAR",
                        "reason",
                        "等级测试",
                        "until",
                        today().plusDays(10).toString()));
        assertThat(res.status()).as(res.raw()).isEqualTo(200);
        settle();
        assertThat(members(byTier)).as("re-evaluated on the tier change").containsExactly(m);
        assertThat(members(byCity))
                .as("not re-evaluated: it does not read the tier")
                .isEmpty();
        SegmentRefresh.Result r = tx.execute(t -> refresh.refresh(byCity, today(), "REFRESH"));
        assertThat(r.joined()).isEqualTo(1);
        assertThat(members(byCity)).containsExactly(m);
    }

    @Test
    void theDailyRefreshMovesMembersOutOfTimeWindows() {
        long m = member("窗口");
        long l = list(List.of(m));
        Map<String, Object> bought = new LinkedHashMap<>(cond("bought", "inLastDays", null));
        bought.put("days", 30);
        long s = segment(l, bought);
        assertThat(members(s)).isEmpty();
        buy(m, fx.brandA, 12_000, today().minusDays(5));
        settle();
        assertThat(segmentsOf(m)).as("re-evaluated at once on the sale").contains(s);

        LocalDate later = today().plusDays(26);
        refresh.refreshAll(later);
        assertThat(members(s)).isEmpty();
        assertThat(segmentsOf(m)).doesNotContain(s);
        assertThat(jdbc.sql(
                                "select change || ' ' || on_date || ' ' || cause from segments.segment_change where segment_id = ? order by id")
                        .param(s)
                        .query(String.class)
                        .list())
                .containsExactly("JOINED " + today() + " MEMBER", "LEFT " + later + " REFRESH");
        assertThat(jdbc.sql("select size from segments.segment_size_day where segment_id = ? and day = ?")
                        .params(s, later)
                        .query(Integer.class)
                        .single())
                .isZero();
        var sizes = admin.get("/api/v1/segments/" + s + "/sizes?days=3");
        assertThat(sizes.status()).isEqualTo(200);
        assertThat(sizes.json())
                .as("the history starts on the segment's first day")
                .hasSize(1);
        assertThat(sizes.json().get(0).path("day").asString()).isEqualTo(today().toString());
        assertThat(sizes.json().get(0).path("size").asInt()).isEqualTo(1);
    }

    /**
     * The nightly job rolls facts and RFM, then refreshes every segment (two at a time); an admin
     * can run the segment part now through the API. A change no event announced (here written
     * straight into the member table) reaches the segment only by such a refresh.
     */
    @Test
    void theNightlyJobAndTheApiRefreshEverySegment() {
        long m = member("夜间");
        long l = list(List.of(m));
        long women = segment(l, cond("gender", "eq", "FEMALE"));
        long men = segment(l, cond("gender", "eq", "MALE"));
        jdbc.sql("update members.member set gender = 'FEMALE' where id = ?")
                .param(m)
                .update();
        assertThat(members(women)).isEmpty();

        assertThat(fx.as(Role.MARKETER)
                        .post("/api/v1/segments/refresh", Map.of())
                        .status())
                .isEqualTo(403);
        var res = admin.post("/api/v1/segments/refresh", Map.of());
        assertThat(res.status()).as(res.raw()).isEqualTo(200);
        long live = jdbc.sql("select count(*) from segments.segment where deleted_at is null")
                .query(Long.class)
                .single();
        assertThat(res.json().path("segments").asLong()).isEqualTo(live);
        assertThat(res.json().path("asOf").asString()).isEqualTo(today().toString());
        assertThat(members(women)).containsExactly(m);
        assertThat(members(men)).isEmpty();
        assertThat(jdbc.sql("""
                        select count(*) from audit.audit_event where action = 'segments.refreshed'
                        and at > now() - interval '5 minutes'""").query(Long.class).single()).isPositive();

        jdbc.sql("update members.member set gender = 'MALE' where id = ?")
                .param(m)
                .update();
        nightly.nightly();
        assertThat(members(women)).isEmpty();
        assertThat(members(men)).containsExactly(m);
        assertThat(jdbc.sql("select member_count from segments.segment where id = ?")
                        .param(men)
                        .query(Integer.class)
                        .single())
                .isEqualTo(1);
    }

    /**
     * "Did not buy in N days" reads the member facts for today and the tickets only for a past day
     * after which the member bought: both give the same answer as the tickets alone.
     */
    @Test
    void notBoughtFollowsTheDaysAndAnswersForAPastDay() {
        long m = member("未购");
        long l = list(List.of(m));
        Map<String, Object> notBought = new LinkedHashMap<>(cond("notBought", "inLastDays", null));
        notBought.put("days", 10);
        long s = segment(l, notBought);
        assertThat(members(s)).as("never bought").containsExactly(m);
        buy(m, fx.brandA, 12_000, today().minusDays(5));
        settle();
        assertThat(segmentsOf(m)).as("re-evaluated at once on the sale").doesNotContain(s);
        try {
            refresh.refreshAll(today().plusDays(6));
            assertThat(members(s)).as("the last purchase 11 days before").containsExactly(m);
            refresh.refreshAll(today().minusDays(10));
            assertThat(members(s))
                    .as("a past day: the purchase came after it, none in its window")
                    .containsExactly(m);
            buy(m, fx.brandA, 12_000, today().minusDays(15));
            settle();
            refresh.refreshAll(today().minusDays(10));
            assertThat(members(s)).as("a past day: bought 5 days before it").isEmpty();
        } finally {
            refresh.refreshAll(today());
        }
        assertThat(members(s)).isEmpty();
    }

    @Test
    void factsAndRfmConditionsFollowMemberFactsChanged() {
        long rich = member("高消费");
        long poor = member("低消费");
        long l = list(List.of(rich, poor));
        long s = segment(
                l,
                group(
                        "AND",
                        cond("spend12mFen", "gte", 500_000),
                        cond("rfmCell", "in", List.of("ACTIVE_FAN")),
                        cond("recencyDays", "lte", 10)));
        assertThat(members(s)).isEmpty();
        try {
            tx.executeWithoutResult(t -> {
                for (long m : List.of(rich, poor)) {
                    long spend = m == rich ? 800_000 : 20_000;
                    jdbc.sql("""
                            insert into segments.member_fact (member_id, first_purchase_date, last_purchase_date, purchase_days,
                                purchase_days_12m, tickets, tickets_12m, spend_fen, spend_12m_fen, avg_ticket_fen, as_of)
                            values (?, ?, ?, 6, 6, 6, 6, ?, ?, ?, ?)""")
                            .params(m, today().minusDays(300), today().minusDays(3), spend, spend, spend / 6, today())
                            .update();
                    jdbc.sql("""
                            insert into segments.member_rfm (member_id, last_purchase_date, frequency, monetary_fen, r_band, f_band,
                                r_score, f_score, m_score, as_of) values (?, ?, 6, ?, 'ACTIVE', 'FAN', 5, 5, ?, ?)""")
                            .params(m, today().minusDays(3), spend, m == rich ? 5 : 1, today())
                            .update();
                }
                events.publishEvent(new MemberFactsChanged(List.of(rich, poor)));
            });
            settle();
            assertThat(members(s)).containsExactly(rich);
            var preview = admin.post(
                    "/api/v1/segments/preview",
                    def(group("AND", cond("inList", "in", List.of(l)), cond("mScore", "lte", 2))));
            assertThat(preview.status()).as(preview.raw()).isEqualTo(200);
            assertThat(preview.json().path("count").asLong()).isEqualTo(1);
            assertThat(preview.json().path("sample").get(0).path("memberId").asLong())
                    .isEqualTo(poor);
            assertThat(preview.json().path("sample").get(0).path("maskedPhone").asString())
                    .matches("137\\*{4}\\d{4}");
        } finally {
            jdbc.sql("delete from segments.member_fact where member_id in (?, ?)")
                    .params(rich, poor)
                    .update();
            jdbc.sql("delete from segments.member_rfm where member_id in (?, ?)")
                    .params(rich, poor)
                    .update();
        }
    }

    @Test
    void thePreviewCountsEveryMatchAndSamplesTheFirstTwentyByIdFromOnePass() {
        Map<Long, String> names = new java.util.TreeMap<>();
        for (int i = 0; i < 23; i++) {
            var m = fx.member("预览" + i + TestData.unique(""));
            names.put(m.path("id").asLong(), m.path("name").asString());
        }
        long l = list(List.copyOf(names.keySet()));

        var preview = admin.post("/api/v1/segments/preview", def(group("AND", cond("inList", "in", List.of(l)))));
        assertThat(preview.status()).as(preview.raw()).isEqualTo(200);
        assertThat(preview.json().path("count").asLong()).isEqualTo(23);
        List<Long> sampled = new ArrayList<>();
        preview.json().path("sample").forEach(m -> {
            sampled.add(m.path("memberId").asLong());
            assertThat(m.path("name").asString())
                    .isEqualTo(names.get(m.path("memberId").asLong()));
            assertThat(m.path("maskedPhone").asString()).matches("1\\d{2}\\*{4}\\d{4}");
        });
        assertThat(sampled)
                .containsExactlyElementsOf(names.keySet().stream().limit(20).toList());

        // nobody matches: the count is 0 and the sample empty (not one row of nulls)
        var none = admin.post(
                "/api/v1/segments/preview",
                def(group("AND", cond("inList", "in", List.of(l)), cond("spend12mFen", "gte", 1_000_000_000_000L))));
        assertThat(none.status()).as(none.raw()).isEqualTo(200);
        assertThat(none.json().path("count").asLong()).isZero();
        assertThat(none.json().path("sample")).isEmpty();
    }

    @Test
    void aStaticListUploadReportsTheRowsWithoutAMemberAndCanBeSnapshotted() {
        var a = fx.member("名单甲" + TestData.unique(""));
        var b = fx.member("名单乙" + TestData.unique(""));
        String phoneA = a.path("phone").asString().replace("+86", "");
        String phoneB = b.path("phone").asString().replace("+86", "");
        String content = "phone,name\n" + phoneA + ",甲\n" + phoneB + ",乙\n13900000000\n" + phoneA + "\nnot-a-phone\n";
        var res = admin.post(
                "/api/v1/segments/static",
                Map.of("name", TestData.unique("门店名单"), "identifierKind", "PHONE", "content", content));
        assertThat(res.status()).as(res.raw()).isEqualTo(201);
        assertThat(res.json().path("rows").asInt()).isEqualTo(5);
        assertThat(res.json().path("matched").asInt()).isEqualTo(2);
        List<String> unmatched = new ArrayList<>();
        res.json()
                .path("unmatched")
                .forEach(r -> unmatched.add(
                        r.path("row").asInt() + ":" + r.path("reason").asString()));
        assertThat(unmatched).containsExactly("4:NOT_FOUND", "5:DUPLICATE", "6:INVALID");
        long list = res.json().path("segment").path("id").asLong();
        assertThat(res.json().path("segment").path("memberCount").asInt()).isEqualTo(2);

        var page = admin.get("/api/v1/segments/" + list + "/members?sort=-memberId&size=1");
        assertThat(page.json().path("totalItems").asLong()).isEqualTo(2);
        assertThat(page.json().path("items").get(0).path("memberId").asLong())
                .isEqualTo(Math.max(a.path("id").asLong(), b.path("id").asLong()));
        assertThat(page.json().path("items").get(0).path("maskedPhone").asString())
                .contains("****");

        var snap = admin.post("/api/v1/segments/" + list + "/snapshots", Map.of());
        assertThat(snap.status()).as(snap.raw()).isEqualTo(201);
        assertThat(snap.json().path("size").asInt()).isEqualTo(2);
        assertThat(snap.json().path("takenBy").asString()).isNotBlank();
        long snapshot = snap.json().path("id").asLong();

        // the list is deleted; the snapshot stays frozen for the campaign
        assertThat(admin.delete("/api/v1/segments/" + list).status()).isEqualTo(204);
        assertThat(admin.get("/api/v1/segments/" + list).status()).isEqualTo(404);
        List<Long> streamed = new ArrayList<>();
        org.springframework.security.core.context.SecurityContextHolder.clearContext();
        long n = segmentsApi.forEachSnapshotMember(snapshot, streamed::add);
        assertThat(n).isEqualTo(2);
        assertThat(streamed)
                .containsExactlyInAnyOrder(a.path("id").asLong(), b.path("id").asLong());
        assertThat(segmentsApi.snapshotInfo(snapshot).size()).isEqualTo(2);
    }

    @Autowired
    Segments segmentsApi;

    @Test
    void aMergeMovesStaticListPlacesToTheSurvivorAndTheMergedMemberLeavesRuleSegments() {
        long survivor = member("合并留存");
        long merged = member("合并并入");
        long l = list(List.of(merged));
        long s = segment(l, cond("gender", "ne", "MALE"));
        assertThat(members(s)).containsExactly(merged);
        var res = admin.post("/api/v1/members/" + survivor + "/merge", Map.of("memberId", merged));
        assertThat(res.status()).as(res.raw()).isEqualTo(200);
        settle();
        assertThat(members(l)).containsExactly(survivor);
        assertThat(members(s))
                .as("the survivor is in the list now, the merged member is no longer active")
                .containsExactly(survivor);
        assertThat(admin.get("/api/v1/segments/" + l).json().path("memberCount").asInt())
                .isEqualTo(1);
    }

    @Test
    void rolesAndStoreScope() {
        long m = member("角色");
        long l = list(List.of(m));
        var analyst = fx.as(Role.ANALYST);
        assertThat(analyst.get("/api/v1/segments/" + l).status()).isEqualTo(200);
        assertThat(analyst.get("/api/v1/segments?q=名单").status()).isEqualTo(200);
        assertThat(analyst.post(
                                "/api/v1/segments",
                                Map.of("name", "x", "definition", def(group("AND", cond("gender", "eq", "MALE")))))
                        .status())
                .isEqualTo(403);
        assertThat(analyst.post("/api/v1/segments/" + l + "/snapshots", Map.of())
                        .status())
                .isEqualTo(403);
        var marketer = fx.as(Role.MARKETER);
        assertThat(marketer.post("/api/v1/segments/" + l + "/refresh", Map.of()).status())
                .isEqualTo(200);
        assertThat(fx.as(Role.MARKETER, fx.store).get("/api/v1/segments").status())
                .as("a marketer of one store")
                .isEqualTo(403);
        assertThat(fx.as(Role.STORE_MANAGER).get("/api/v1/segments").status()).isEqualTo(403);
        var counter = fx.as(Role.COUNTER_STAFF, fx.store);
        var mine = counter.get("/api/v1/members/" + m + "/segments");
        assertThat(mine.status()).as(mine.raw()).isEqualTo(200);
        assertThat(mine.json().get(0).path("segmentId").asLong()).isEqualTo(l);
        assertThat(fx.as(Role.COUNTER_STAFF, fx.otherStore)
                        .get("/api/v1/members/" + m + "/segments")
                        .status())
                .isEqualTo(403);
        assertThat(admin.get("/api/v1/segments?sort=colour").status()).isEqualTo(400);
    }
}
