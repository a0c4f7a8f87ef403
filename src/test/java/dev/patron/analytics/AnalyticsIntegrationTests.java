package dev.patron.analytics;

import static dev.patron.sales.SalesFixtures.line;
import static dev.patron.sales.SalesFixtures.with;
import static org.assertj.core.api.Assertions.assertThat;

import dev.patron.ApiClient;
import dev.patron.PatronIntegrationTest;
import dev.patron.TestData;
import dev.patron.sales.SalesFixtures;
import dev.patron.shared.security.Role;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.LocalDate;
import java.time.Period;
import java.time.YearMonth;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * The dashboards over real HTTP and PostgreSQL, on hand-made members (members API) and tickets
 * (sales API) at two fresh stores. Every figure is checked against Java written independently in
 * this test over raw rows of the owners' tables (not the views, not the module's SQL); plus store
 * scope (a store manager sees exactly their stores, 403 outside), CSV export and bad input.
 */
@PatronIntegrationTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AnalyticsIntegrationTests {

    static final LocalDate FROM = LocalDate.of(2026, 1, 1);
    static final LocalDate TO = LocalDate.of(2026, 10, 31);
    static final String PERIOD = "from=" + FROM + "&to=" + TO;

    @LocalServerPort
    int port;

    @Autowired
    JdbcClient jdbc;

    ApiClient admin;
    SalesFixtures fx;
    long storeId;
    long otherStoreId;
    final List<Long> members = new ArrayList<>();
    String category;

    @BeforeAll
    void data() {
        admin = new ApiClient(port, TestData.BOOTSTRAP_API_KEY);
        fx = new SalesFixtures(admin);
        category = fx.category;
        storeId = id("organization.store", fx.store);
        otherStoreId = id("organization.store", fx.otherStore);
        // members: preferred store, join store, gender, birthday, city, channel, joined on
        member(fx.store, null, "FEMALE", "1990-05-01", "上海", "STORE_DESK", "2026-01-10");
        member(fx.store, null, "MALE", "1980-02-01", "杭州", "POS", "2026-01-20");
        member(fx.store, null, null, null, "上海", "WEBSITE", "2026-02-05");
        member(fx.otherStore, fx.store, "FEMALE", "2000-07-01", "苏州", "STORE_DESK", "2026-03-03");
        member(fx.otherStore, null, "MALE", "1960-01-01", null, "ECOMMERCE", "2026-01-15");
        member(fx.store, null, "FEMALE", "1975-12-31", "上海", "CALL_CENTER", "2025-06-01");
        member(fx.store, null, "UNKNOWN", "2010-01-01", "南京", "POS", "2026-05-20");
        // a big purchase: member 2 reaches the three-star tier
        sale(members.get(1), fx.store, "2026-02-10", fx.counterA, fx.brandA, 600_000);
        // returning member 6: first purchase before the period
        sale(members.get(5), fx.store, "2025-12-15", fx.counterB, fx.brandB, 12_000);
        // hand-made repeat at one counter: member 1 at counter A on 3 Mar, again on 20 Mar (17 days)
        sale(members.get(0), fx.store, "2026-03-03", fx.counterA, fx.brandA, 25_800);
        sale(members.get(0), fx.store, "2026-03-20", fx.counterA, fx.brandB, 9_900);
        // deterministic random tickets over both stores and all counters
        Random r = new Random(6);
        String[][] places = {
            {fx.store, fx.counterA}, {fx.store, fx.counterB}, {fx.otherStore, fx.otherCounter}, {fx.store, null}
        };
        for (int i = 0; i < 36; i++) {
            long member = members.get(r.nextInt(members.size()));
            String[] place = places[r.nextInt(places.length)];
            LocalDate day = LocalDate.of(2025, 12, 1).plusDays(r.nextInt(335)); // to 2026-10-31
            sale(
                    member,
                    place[0],
                    day.toString(),
                    place[1],
                    r.nextBoolean() ? fx.brandA : fx.brandB,
                    1_000 + r.nextInt(30_000));
        }
        // a same-day second ticket (one purchase day, two tickets) and a return netted in the sales
        sale(members.get(2), fx.store, "2026-04-08", fx.counterA, fx.brandA, 5_000);
        String txn = sale(members.get(2), fx.store, "2026-04-08", fx.counterB, fx.brandB, 7_000);
        Map<String, Object> ret = new HashMap<>(fx.fullReturn(txn));
        ret.put("businessDate", "2026-04-12");
        assertThat(admin.post("/api/v1/returns", ret).status()).isEqualTo(201);
        // an anonymous ticket (not in any member figure)
        Map<String, Object> anon =
                fx.sale(TestData.unique("T"), 50_000, List.of(line("S", fx.counterA, fx.brandA, 1, 50_000, 0)));
        anon.put("businessDate", "2026-06-01");
        anon.put("occurredAt", "2026-06-01T10:00:00+08:00");
        assertThat(admin.post("/api/v1/sales", anon).status()).isEqualTo(201);
        Awaitility.await()
                .atMost(Duration.ofSeconds(30))
                .until(() -> "THREE_STAR"
                        .equals(admin.get("/api/v1/members/" + members.get(1) + "/tier")
                                .json()
                                .path("tier")
                                .path("code")
                                .asString()));
    }

    private long id(String table, String code) {
        return jdbc.sql("select id from " + table + " where code = ?")
                .param(code)
                .query(Long.class)
                .single();
    }

    private void member(
            String preferred, String join, String gender, String birthday, String city, String channel, String joined) {
        Map<String, Object> m = new HashMap<>();
        m.put("name", "分析" + TestData.unique(""));
        m.put("phone", SalesFixtures.phone());
        m.put("preferredStoreCode", preferred);
        if (join != null) {
            m.put("joinStoreCode", join);
        }
        if (gender != null) {
            m.put("gender", gender);
        }
        if (birthday != null) {
            m.put("birthday", birthday);
        }
        if (city != null) {
            m.put("city", city);
        }
        m.put("joinChannel", channel);
        m.put("joinedOn", joined);
        var res = admin.post("/api/v1/members", m);
        assertThat(res.status()).as(res.raw()).isEqualTo(201);
        members.add(res.json().path("id").asLong());
    }

    /** A one-line sale; returns the POS transaction id. */
    private String sale(long member, String store, String day, String counter, String brand, long fen) {
        String txn = TestData.unique("T");
        Map<String, Object> l = new HashMap<>(line("S", counter, brand, 1, fen, 0));
        if (brand.equals(fx.brandA)) {
            l.put("categoryCode", category);
        }
        Map<String, Object> s = with(fx.sale(txn, fen, List.of(l)), "memberId", member, "storeCode", store);
        s.put("businessDate", day);
        s.put("occurredAt", day + "T15:00:00+08:00");
        var res = admin.post("/api/v1/sales", s);
        assertThat(res.status()).as(res.raw()).isEqualTo(201);
        return txn;
    }

    // ------------------------------------------------------------ raw rows, independent arithmetic

    record Ticket(long id, String kind, long store, Long member, LocalDate day, long total) {}

    record Line(long sale, long store, LocalDate day, Long counter, Long brand, Long category, long amount) {}

    record Member(
            long id,
            String status,
            String gender,
            LocalDate birthday,
            String city,
            String channel,
            LocalDate joined,
            Long preferred,
            Long join) {}

    List<Ticket> tickets() {
        return jdbc.sql("select id, kind, store_id, member_id, business_date, total_fen from sales.sale"
                        + " where store_id in (?, ?) or member_id = any(?)")
                .params(storeId, otherStoreId, members.toArray(Long[]::new))
                .query((rs, n) -> new Ticket(
                        rs.getLong(1),
                        rs.getString(2),
                        rs.getLong(3),
                        (Long) rs.getObject(4),
                        rs.getObject(5, LocalDate.class),
                        rs.getLong(6)))
                .list();
    }

    List<Line> lines() {
        return jdbc.sql("select sale_id, store_id, business_date, counter_id, brand_id, category_id, amount_fen"
                        + " from sales.sale_line where store_id in (?, ?)")
                .params(storeId, otherStoreId)
                .query((rs, n) -> new Line(
                        rs.getLong(1),
                        rs.getLong(2),
                        rs.getObject(3, LocalDate.class),
                        (Long) rs.getObject(4),
                        (Long) rs.getObject(5),
                        (Long) rs.getObject(6),
                        rs.getLong(7)))
                .list();
    }

    List<Member> memberRows() {
        return jdbc.sql(
                        "select id, status, gender, birthday, city, join_channel, joined_on, preferred_store_id,"
                                + " join_store_id from members.member where preferred_store_id in (?, ?) or join_store_id in (?, ?)")
                .params(storeId, otherStoreId, storeId, otherStoreId)
                .query((rs, n) -> new Member(
                        rs.getLong(1),
                        rs.getString(2),
                        rs.getString(3),
                        rs.getObject(4, LocalDate.class),
                        rs.getString(5),
                        rs.getString(6),
                        rs.getObject(7, LocalDate.class),
                        (Long) rs.getObject(8),
                        (Long) rs.getObject(9)))
                .list();
    }

    /** Set.of(…).contains(null) throws; a member without a join store is simply not in it. */
    static boolean in(Set<Long> stores, Long store) {
        return store != null && stores.contains(store);
    }

    static boolean inPeriod(LocalDate d) {
        return !d.isBefore(FROM) && !d.isAfter(TO);
    }

    static BigDecimal ratio(long n, long total) {
        return total == 0 ? null : new BigDecimal(n).divide(new BigDecimal(total), 4, RoundingMode.HALF_UP);
    }

    static void assertRatio(JsonNode node, BigDecimal expected) {
        if (expected == null) {
            assertThat(node.isNull() || node.isMissingNode())
                    .as("null ratio, got %s", node)
                    .isTrue();
        } else {
            assertThat(node.decimalValue()).isEqualByComparingTo(expected);
        }
    }

    private JsonNode get(ApiClient client, String path) {
        var res = client.get(path);
        assertThat(res.status()).as(res.raw()).isEqualTo(200);
        return res.json();
    }

    // ------------------------------------------------------------ 1. structure

    @Test
    void customerStructureCountsMembersWhosePreferredOrJoinStoreIsTheStore() {
        Set<Long> stores = Set.of(storeId);
        for (String base : List.of("ALL", "JOINED", "BUYERS")) {
            JsonNode s =
                    get(admin, "/api/v1/analytics/structure?" + PERIOD + "&storeCode=" + fx.store + "&base=" + base);
            List<Member> counted = structureMembers(stores, base);
            assertThat(s.path("members").asLong()).as(base).isEqualTo(counted.size());
            Map<String, Long> age = new HashMap<>();
            Map<String, Long> gender = new HashMap<>();
            Map<String, Long> city = new HashMap<>();
            Map<String, Long> channel = new HashMap<>();
            for (Member m : counted) {
                age.merge(band(m.birthday()), 1L, Long::sum);
                gender.merge(m.gender() == null ? "UNKNOWN" : m.gender(), 1L, Long::sum);
                city.merge(m.city() == null ? "UNKNOWN" : m.city(), 1L, Long::sum);
                channel.merge(m.channel(), 1L, Long::sum);
            }
            assertSlices(s.path("ageBands"), age, counted.size());
            assertSlices(s.path("genders"), gender, counted.size());
            assertSlices(s.path("cities"), city, counted.size());
            assertSlices(s.path("joinChannels"), channel, counted.size());
            // tiers from the raw tier tables: no member_tier row = the lowest level
            String lowest = jdbc.sql("select code from loyalty.tier order by rank limit 1")
                    .query(String.class)
                    .single();
            Map<String, Long> tier = new HashMap<>();
            for (Member m : counted) {
                String code = jdbc.sql("select tier_code from loyalty.member_tier where member_id = ?")
                        .param(m.id())
                        .query(String.class)
                        .optional()
                        .orElse(lowest);
                tier.merge(code, 1L, Long::sum);
            }
            assertSlices(s.path("tiers"), tier, counted.size());
        }
        // hand-checked: all 6 members of the store (the 5th prefers the other store and joined there)
        JsonNode all = get(admin, "/api/v1/analytics/structure?" + PERIOD + "&storeCode=" + fx.store);
        assertThat(all.path("members").asLong()).isEqualTo(6);
        assertThat(slice(all.path("cities"), "上海").path("members").asLong()).isEqualTo(3);
        assertThat(slice(all.path("ageBands"), "35-44").path("members").asLong())
                .isEqualTo(1); // born 1990-05-01, 36 on 31 Oct
        assertThat(slice(all.path("ageBands"), "45-54").path("members").asLong())
                .isEqualTo(2); // 1980-02-01 and 1975-12-31 (50)
        assertThat(slice(all.path("tiers"), "THREE_STAR").path("members").asLong())
                .isEqualTo(1);
        // top 1 city: 上海 by name, the rest as OTHER, no city as UNKNOWN
        JsonNode top1 = get(admin, "/api/v1/analytics/structure?" + PERIOD + "&storeCode=" + fx.store + "&top=1");
        assertThat(top1.path("cities")
                        .valueStream()
                        .map(c -> c.path("key").asString())
                        .toList())
                .containsExactly("上海", "OTHER");
        assertThat(slice(top1.path("cities"), "OTHER").path("members").asLong()).isEqualTo(3);
    }

    private List<Member> structureMembers(Set<Long> stores, String base) {
        List<Ticket> tickets = tickets();
        return memberRows().stream()
                .filter(m -> m.status().equals("ACTIVE"))
                .filter(m -> in(stores, m.preferred()) || in(stores, m.join()))
                .filter(m -> !m.joined().isAfter(TO))
                .filter(m -> !base.equals("JOINED") || !m.joined().isBefore(FROM))
                .filter(m -> !base.equals("BUYERS")
                        || tickets.stream()
                                .anyMatch(t -> t.kind().equals("SALE")
                                        && Long.valueOf(m.id()).equals(t.member())
                                        && inPeriod(t.day())
                                        && stores.contains(t.store())))
                .toList();
    }

    static String band(LocalDate birthday) {
        if (birthday == null) {
            return "UNKNOWN";
        }
        int age = Period.between(birthday, TO).getYears();
        int[] upper = {17, 24, 34, 44, 54, 64};
        String[] names = {"0-17", "18-24", "25-34", "35-44", "45-54", "55-64"};
        for (int i = 0; i < upper.length; i++) {
            if (age <= upper[i]) {
                return names[i];
            }
        }
        return "65+";
    }

    static JsonNode slice(JsonNode slices, String key) {
        for (JsonNode s : slices) {
            if (s.path("key").asString().equals(key)) {
                return s;
            }
        }
        throw new AssertionError("no slice " + key + " in " + slices);
    }

    /** Every expected key with its count and share; every other slice is 0. */
    static void assertSlices(JsonNode slices, Map<String, Long> expected, long total) {
        long sum = 0;
        for (JsonNode s : slices) {
            long n = s.path("members").asLong();
            assertThat(n)
                    .as(s.toString())
                    .isEqualTo(expected.getOrDefault(s.path("key").asString(), 0L));
            if (n > 0) {
                assertRatio(s.path("share"), ratio(n, total));
            }
            sum += n;
        }
        assertThat(sum).isEqualTo(total);
    }

    // ------------------------------------------------------------ 2. new vs returning

    @Test
    void newVsReturningPerMonthMatchesTheFirstPurchaseEver() {
        assertNewVsReturning(
                get(admin, "/api/v1/analytics/customers?" + PERIOD + "&storeCode=" + fx.store), Set.of(storeId));
        ApiClient manager = fx.as(Role.STORE_MANAGER, fx.store, fx.otherStore);
        assertNewVsReturning(get(manager, "/api/v1/analytics/customers?" + PERIOD), Set.of(storeId, otherStoreId));
    }

    private void assertNewVsReturning(JsonNode n, Set<Long> stores) {
        List<Ticket> all = tickets();
        Map<Long, LocalDate> first = new HashMap<>();
        for (Ticket t : all) {
            if (t.member() != null && t.kind().equals("SALE")) {
                first.merge(t.member(), t.day(), (a, b) -> a.isBefore(b) ? a : b);
            }
        }
        // month -> [newMembers, returningMembers, newTickets, returningTickets, newSales, returningSales]
        Map<YearMonth, long[]> expected = new TreeMap<>();
        Map<YearMonth, Set<Long>> newBuyers = new HashMap<>();
        Map<YearMonth, Set<Long>> returningBuyers = new HashMap<>();
        for (Ticket t : all) {
            if (t.member() == null || !inPeriod(t.day()) || !stores.contains(t.store())) {
                continue;
            }
            YearMonth m = YearMonth.from(t.day());
            boolean isNew = YearMonth.from(first.get(t.member())).equals(m);
            long[] a = expected.computeIfAbsent(m, k -> new long[6]);
            int o = isNew ? 0 : 1;
            if (t.kind().equals("SALE")) {
                a[2 + o]++;
                (isNew ? newBuyers : returningBuyers)
                        .computeIfAbsent(m, k -> new HashSet<>())
                        .add(t.member());
            }
            a[4 + o] += t.total();
        }
        assertThat(n.path("months").size()).isEqualTo(10);
        long totalNew = 0;
        for (JsonNode month : n.path("months")) {
            YearMonth m = YearMonth.parse(month.path("month").asString());
            long[] a = expected.getOrDefault(m, new long[6]);
            assertThat(month.path("newMembers").asLong())
                    .as(m.toString())
                    .isEqualTo(newBuyers.getOrDefault(m, Set.of()).size());
            assertThat(month.path("returningMembers").asLong())
                    .as(m.toString())
                    .isEqualTo(returningBuyers.getOrDefault(m, Set.of()).size());
            assertThat(month.path("newTickets").asLong()).as(m.toString()).isEqualTo(a[2]);
            assertThat(month.path("returningTickets").asLong()).as(m.toString()).isEqualTo(a[3]);
            assertThat(month.path("newSalesFen").asLong()).as(m.toString()).isEqualTo(a[4]);
            assertThat(month.path("returningSalesFen").asLong())
                    .as(m.toString())
                    .isEqualTo(a[5]);
            totalNew += month.path("newMembers").asLong();
        }
        assertThat(n.path("total").path("newMembers").asLong()).isEqualTo(totalNew);
    }

    @Test
    void theReturnIsNettedInTheMonthItWasMade() {
        // member 3: two tickets on 8 Apr (5,000 + 7,000 fen), the 7,000 one returned on 12 Apr: April net 5,000
        // plus whatever the random tickets gave them in April, which the raw rows tell
        long member = members.get(2);
        long april = tickets().stream()
                .filter(t -> Long.valueOf(member).equals(t.member())
                        && YearMonth.from(t.day()).equals(YearMonth.of(2026, 4))
                        && t.store() == storeId)
                .mapToLong(Ticket::total)
                .sum();
        assertThat(april).isGreaterThanOrEqualTo(5_000);
        JsonNode n = get(admin, "/api/v1/analytics/customers?from=2026-04-01&to=2026-04-30&storeCode=" + fx.store);
        JsonNode m = n.path("months").get(0);
        assertThat(m.path("month").asString()).isEqualTo("2026-04");
        assertThat(m.path("newSalesFen").asLong() + m.path("returningSalesFen").asLong())
                .isEqualTo(tickets().stream()
                        .filter(t -> t.member() != null
                                && t.store() == storeId
                                && YearMonth.from(t.day()).equals(YearMonth.of(2026, 4)))
                        .mapToLong(Ticket::total)
                        .sum());
    }

    // ------------------------------------------------------------ 3. behaviour

    @Test
    void purchaseBehaviourMatchesJavaOverTheRawTickets() {
        assertBehaviour(
                get(admin, "/api/v1/analytics/behaviour?" + PERIOD + "&storeCode=" + fx.store), Set.of(storeId), 30);
        assertBehaviour(
                get(admin, "/api/v1/analytics/behaviour?" + PERIOD + "&storeCode=" + fx.store + "&windowDays=90"),
                Set.of(storeId),
                90);
        ApiClient manager = fx.as(Role.STORE_MANAGER, fx.store, fx.otherStore);
        assertBehaviour(
                get(manager, "/api/v1/analytics/behaviour?" + PERIOD + "&windowDays=10"),
                Set.of(storeId, otherStoreId),
                10);
    }

    private void assertBehaviour(JsonNode b, Set<Long> stores, int window) {
        List<Ticket> all = tickets();
        Map<Long, Ticket> byId = new HashMap<>();
        all.forEach(t -> byId.put(t.id(), t));
        Map<Long, TreeSet<LocalDate>> days = new HashMap<>();
        long tickets = 0;
        long net = 0;
        for (Ticket t : all) {
            if (t.member() == null || !inPeriod(t.day()) || !stores.contains(t.store())) {
                continue;
            }
            net += t.total();
            if (t.kind().equals("SALE")) {
                tickets++;
                days.computeIfAbsent(t.member(), k -> new TreeSet<>()).add(t.day());
            }
        }
        long buyers = days.size();
        long repeat = days.values().stream().filter(d -> d.size() >= 2).count();
        assertThat(b.path("buyers").asLong()).isEqualTo(buyers);
        assertThat(b.path("repeatBuyers").asLong()).isEqualTo(repeat);
        assertRatio(b.path("repeatRate"), ratio(repeat, buyers));
        assertThat(b.path("tickets").asLong()).isEqualTo(tickets);
        assertThat(b.path("netSalesFen").asLong()).isEqualTo(net);
        assertThat(b.path("averageTicketFen").asLong())
                .isEqualTo(new BigDecimal(net)
                        .divide(new BigDecimal(tickets), 0, RoundingMode.HALF_UP)
                        .longValue());
        // gaps and frequency
        List<Long> gaps = new ArrayList<>();
        Map<String, Long> freq = new HashMap<>();
        for (TreeSet<LocalDate> d : days.values()) {
            LocalDate prev = null;
            for (LocalDate x : d) {
                if (prev != null) {
                    gaps.add(ChronoUnit.DAYS.between(prev, x));
                }
                prev = x;
            }
            int n = d.size();
            freq.merge(n <= 5 ? String.valueOf(n) : n <= 9 ? "6-9" : "10+", 1L, Long::sum);
        }
        gaps.sort(null);
        assertThat(b.path("intervals").asLong()).isEqualTo(gaps.size());
        if (!gaps.isEmpty()) {
            long sum = gaps.stream().mapToLong(Long::longValue).sum();
            assertThat(b.path("meanIntervalDays").decimalValue())
                    .isEqualByComparingTo(
                            new BigDecimal(sum).divide(new BigDecimal(gaps.size()), 2, RoundingMode.HALF_UP));
            assertThat(b.path("medianIntervalDays").asLong()).isEqualTo(gaps.get((gaps.size() - 1) / 2));
        }
        Map<String, Long> gapBins = new HashMap<>();
        String[] names = {"1-7", "8-14", "15-30", "31-60", "61-90", "91-180", "181-365"};
        long[] upper = {7, 14, 30, 60, 90, 180, 365};
        for (long g : gaps) {
            String name = "366+";
            for (int i = 0; i < upper.length; i++) {
                if (g <= upper[i]) {
                    name = names[i];
                    break;
                }
            }
            gapBins.merge(name, 1L, Long::sum);
        }
        for (JsonNode bin : b.path("intervalBins")) {
            assertThat(bin.path("count").asLong())
                    .as(bin.toString())
                    .isEqualTo(gapBins.getOrDefault(bin.path("key").asString(), 0L));
        }
        for (JsonNode bin : b.path("frequencyBins")) {
            assertThat(bin.path("count").asLong())
                    .as(bin.toString())
                    .isEqualTo(freq.getOrDefault(bin.path("key").asString(), 0L));
        }
        // brand and category shares of member net sales (lines of member tickets)
        Map<String, Long> brandSales = new HashMap<>();
        Map<String, Long> categorySales = new HashMap<>();
        long lineTotal = 0;
        String brandA = String.valueOf(id("organization.brand", fx.brandA));
        String brandB = String.valueOf(id("organization.brand", fx.brandB));
        List<Line> lines = lines();
        for (Line l : lines) {
            Ticket t = byId.get(l.sale());
            if (t == null || t.member() == null || !inPeriod(l.day()) || !stores.contains(l.store())) {
                continue;
            }
            String brand = l.brand() == null ? "NONE" : String.valueOf(l.brand());
            brandSales.merge(
                    brand.equals(brandA) ? fx.brandA : brand.equals(brandB) ? fx.brandB : brand, l.amount(), Long::sum);
            categorySales.merge(l.category() == null ? "NONE" : category, l.amount(), Long::sum);
            lineTotal += l.amount();
        }
        assertShares(b.path("brands"), brandSales, lineTotal);
        assertShares(b.path("categories"), categorySales, lineTotal);
        // return to counter: per (member, counter) first day in the period, again within the window
        Map<List<Long>, TreeSet<LocalDate>> counterDays = new HashMap<>();
        for (Line l : lines) {
            Ticket t = byId.get(l.sale());
            if (t == null
                    || t.member() == null
                    || !t.kind().equals("SALE")
                    || l.counter() == null
                    || !stores.contains(l.store())) {
                continue;
            }
            counterDays
                    .computeIfAbsent(List.of(t.member(), l.counter()), k -> new TreeSet<>())
                    .add(l.day());
        }
        Map<Long, long[]> perCounter = new HashMap<>();
        for (var e : counterDays.entrySet()) {
            LocalDate d0 = e.getValue().ceiling(FROM);
            if (d0 == null || d0.isAfter(TO)) {
                continue;
            }
            boolean back = e.getValue().stream().anyMatch(d -> d.isAfter(d0) && !d.isAfter(d0.plusDays(window)));
            long[] a = perCounter.computeIfAbsent(e.getKey().get(1), k -> new long[2]);
            a[0]++;
            a[1] += back ? 1 : 0;
        }
        long pairs = perCounter.values().stream().mapToLong(a -> a[0]).sum();
        long back = perCounter.values().stream().mapToLong(a -> a[1]).sum();
        assertThat(b.path("windowDays").asInt()).isEqualTo(window);
        assertThat(b.path("counterBuyers").asLong()).isEqualTo(pairs);
        assertThat(b.path("counterReturners").asLong()).isEqualTo(back);
        assertRatio(b.path("returnToCounterRate"), ratio(back, pairs));
        assertThat(b.path("counters").size()).isEqualTo(perCounter.size());
        for (JsonNode c : b.path("counters")) {
            long[] a = perCounter.get(c.path("counterId").asLong());
            assertThat(c.path("buyers").asLong()).isEqualTo(a[0]);
            assertThat(c.path("returners").asLong()).isEqualTo(a[1]);
        }
    }

    private static void assertShares(JsonNode shares, Map<String, Long> expected, long total) {
        assertThat(shares.size()).as(shares.toString()).isEqualTo(expected.size());
        for (JsonNode s : shares) {
            String key = s.path("key").asString();
            assertThat(s.path("salesFen").asLong()).as(key).isEqualTo(expected.get(key));
            assertRatio(s.path("share"), ratio(expected.get(key), total));
        }
    }

    @Test
    void theHandMadeRepeatAtCounterACountsWithinSeventeenDaysButNotSixteen() {
        // member 1 bought at counter A on 3 and 20 March and (the fixed random data) not in between; with a
        // period of 3 March alone, window 16 must not see the 20th, window 17 must
        long member = members.get(0);
        long counterA = id("organization.counter", fx.counterA);
        long between = jdbc.sql(
                        "select count(*) from sales.sale_line l join sales.sale s on s.id = l.sale_id"
                                + " where s.member_id = ? and l.counter_id = ? and s.kind = 'SALE' and l.business_date between ? and ?")
                .params(member, counterA, LocalDate.of(2026, 3, 4), LocalDate.of(2026, 3, 19))
                .query(Long.class)
                .single();
        assertThat(between).as("the fixed random data").isZero();
        // only the pair (member 1, counter A) is looked at through a window of exactly one day: 3 March
        JsonNode b16 = get(
                admin,
                "/api/v1/analytics/behaviour?from=2026-03-03&to=2026-03-03&storeCode=" + fx.store + "&windowDays=16");
        JsonNode b17 = get(
                admin,
                "/api/v1/analytics/behaviour?from=2026-03-03&to=2026-03-03&storeCode=" + fx.store + "&windowDays=17");
        JsonNode c16 = counter(b16, fx.counterA);
        JsonNode c17 = counter(b17, fx.counterA);
        assertThat(c17.path("returners").asLong())
                .isEqualTo(c16.path("returners").asLong() + 1);
    }

    private static JsonNode counter(JsonNode b, String code) {
        for (JsonNode c : b.path("counters")) {
            if (c.path("code").asString().equals(code)) {
                return c;
            }
        }
        throw new AssertionError("no counter " + code + " in " + b);
    }

    // ------------------------------------------------------------ 4. cohorts

    @Test
    void cohortRetentionMatchesJavaOverTheRawRows() {
        Set<Long> stores = Set.of(storeId);
        JsonNode c = get(admin, "/api/v1/analytics/cohorts?" + PERIOD + "&storeCode=" + fx.store);
        assertThat(c.path("lastMonth").asString()).isEqualTo("2026-10");
        List<Ticket> all = tickets();
        Map<YearMonth, Long> sizes = new TreeMap<>();
        Map<YearMonth, Map<Integer, Set<Long>>> active = new HashMap<>();
        for (Member m : memberRows()) {
            if (!m.status().equals("ACTIVE") || !(in(stores, m.preferred()) || in(stores, m.join()))) {
                continue;
            }
            YearMonth jm = YearMonth.from(m.joined());
            if (jm.isBefore(YearMonth.from(FROM)) || jm.isAfter(YearMonth.from(TO))) {
                continue;
            }
            sizes.merge(jm, 1L, Long::sum);
            for (Ticket t : all) {
                if (Long.valueOf(m.id()).equals(t.member()) && t.kind().equals("SALE") && stores.contains(t.store())) {
                    long k = ChronoUnit.MONTHS.between(jm, YearMonth.from(t.day()));
                    if (k >= 0 && k < 12 && !YearMonth.from(t.day()).isAfter(YearMonth.from(TO))) {
                        active.computeIfAbsent(jm, x -> new HashMap<>())
                                .computeIfAbsent((int) k, x -> new HashSet<>())
                                .add(m.id());
                    }
                }
            }
        }
        assertThat(c.path("cohorts").size()).isEqualTo(10);
        for (JsonNode cohort : c.path("cohorts")) {
            YearMonth jm = YearMonth.parse(cohort.path("month").asString());
            long size = sizes.getOrDefault(jm, 0L);
            assertThat(cohort.path("members").asLong()).as(jm.toString()).isEqualTo(size);
            for (int k = 0; k < 12; k++) {
                JsonNode buyers = cohort.path("buyers").get(k);
                if (jm.plusMonths(k).isAfter(YearMonth.of(2026, 10))) {
                    assertThat(buyers.isNull())
                            .as("%s M+%d not observed", jm, k)
                            .isTrue();
                    assertThat(cohort.path("retention").get(k).isNull()).isTrue();
                } else {
                    long n = active.getOrDefault(jm, Map.of())
                            .getOrDefault(k, Set.of())
                            .size();
                    assertThat(buyers.asLong()).as("%s M+%d", jm, k).isEqualTo(n);
                    assertRatio(cohort.path("retention").get(k), ratio(n, size));
                }
            }
        }
        // hand-checked: January has members 1 and 2 (member 5 prefers and joined at the other store)
        assertThat(c.path("cohorts").get(0).path("members").asLong()).isEqualTo(2);
        assertThat(c.path("cohorts").get(0).path("buyers").get(1).asLong()).isGreaterThanOrEqualTo(1); // member 2, Feb
    }

    // ------------------------------------------------------------ scope, CSV, bad input

    @Test
    void aStoreManagerSeesExactlyTheirStoresAndNothingOutside() {
        ApiClient manager = fx.as(Role.STORE_MANAGER, fx.store);
        for (String d : List.of("structure", "customers", "behaviour", "cohorts")) {
            JsonNode scoped = get(manager, "/api/v1/analytics/" + d + "?" + PERIOD);
            JsonNode byCode = get(admin, "/api/v1/analytics/" + d + "?" + PERIOD + "&storeCode=" + fx.store);
            ((tools.jackson.databind.node.ObjectNode) byCode).putNull("storeCode");
            assertThat(scoped).as(d).isEqualTo(byCode);
            assertThat(manager.get("/api/v1/analytics/" + d + "?storeCode=" + fx.otherStore)
                            .status())
                    .isEqualTo(403);
        }
        assertThat(fx.as(Role.COUNTER_STAFF).get("/api/v1/analytics/structure").status())
                .isEqualTo(403);
        assertThat(fx.as(Role.FINANCE).get("/api/v1/analytics/behaviour").status())
                .isEqualTo(403);
        assertThat(fx.as(Role.MARKETER).get("/api/v1/analytics/cohorts").status())
                .isEqualTo(200);
        assertThat(fx.as(Role.ANALYST).get("/api/v1/analytics/customers").status())
                .isEqualTo(200);
    }

    @Test
    void eachChartExportsItsTableAsCsv() {
        String q = "/api/v1/analytics/behaviour?" + PERIOD + "&storeCode=" + fx.store;
        JsonNode b = get(admin, q);
        var csv = admin.send("GET", q + "&format=csv&chart=counters", null, "text/csv");
        assertThat(csv.status()).isEqualTo(200);
        assertThat(csv.contentType()).startsWith("text/csv");
        List<String> rows = csv.raw().replace("\uFEFF", "").lines().toList();
        assertThat(rows.get(0)).isEqualTo("counter,name,store,buyers,returners,rate");
        assertThat(rows).hasSize(1 + b.path("counters").size());
        for (int i = 0; i < b.path("counters").size(); i++) {
            JsonNode c = b.path("counters").get(i);
            String row = rows.get(i + 1);
            assertThat(row)
                    .startsWith(String.join(
                                    ",",
                                    c.path("code").asString(),
                                    c.path("name").asString(),
                                    c.path("storeCode").asString(),
                                    c.path("buyers").asString(),
                                    c.path("returners").asString())
                            + ",");
            assertThat(new BigDecimal(row.substring(row.lastIndexOf(',') + 1)))
                    .isEqualByComparingTo(c.path("rate").decimalValue());
        }
        // the default chart of the structure is the age bands; cohorts leave unobserved months empty
        var ages = admin.send(
                "GET",
                "/api/v1/analytics/structure?" + PERIOD + "&storeCode=" + fx.store + "&format=csv",
                null,
                "text/csv");
        assertThat(ages.raw().replace("\uFEFF", "").lines().toList()).first().isEqualTo("ageBand,label,members,share");
        var cohorts = admin.send(
                "GET",
                "/api/v1/analytics/cohorts?" + PERIOD + "&storeCode=" + fx.store + "&format=csv&chart=buyers",
                null,
                "text/csv");
        List<String> cohortRows = cohorts.raw().replace("\uFEFF", "").lines().toList();
        assertThat(cohortRows).hasSize(11);
        assertThat(cohortRows.get(10)).startsWith("2026-10,").endsWith(",,,,,,,,,,,"); // October: only M+0 observed
        var customers = admin.send(
                "GET",
                "/api/v1/analytics/customers?" + PERIOD + "&storeCode=" + fx.store + "&format=csv",
                null,
                "text/csv");
        JsonNode n = get(admin, "/api/v1/analytics/customers?" + PERIOD + "&storeCode=" + fx.store);
        JsonNode apr = n.path("months").get(3);
        assertThat(customers.raw().lines().toList())
                .contains(String.join(
                        ",",
                        "2026-04",
                        apr.path("newMembers").asString(),
                        apr.path("returningMembers").asString(),
                        apr.path("newTickets").asString(),
                        apr.path("returningTickets").asString(),
                        apr.path("newSalesFen").asString(),
                        apr.path("returningSalesFen").asString()));
    }

    @Test
    void badInputIsA400NamingTheFieldInTheCallersLanguage() {
        assertThat(admin.get("/api/v1/analytics/structure?from=2026-13-01").fieldError("from"))
                .isNotBlank();
        assertThat(admin.get("/api/v1/analytics/structure?from=2026-05-01&to=2026-04-01")
                        .fieldError("from"))
                .contains("2026-04-01");
        assertThat(admin.get("/api/v1/analytics/cohorts?from=2020-01-01&to=2026-01-01")
                        .fieldError("to"))
                .isNotBlank();
        assertThat(admin.get("/api/v1/analytics/structure?top=0").fieldError("top"))
                .contains("1", "50");
        assertThat(admin.get("/api/v1/analytics/structure?base=SOME").fieldError("base"))
                .isNotBlank();
        assertThat(admin.get("/api/v1/analytics/behaviour?windowDays=x").fieldError("windowDays"))
                .isNotBlank();
        assertThat(admin.get("/api/v1/analytics/behaviour?format=xml").fieldError("format"))
                .isNotBlank();
        assertThat(admin.get("/api/v1/analytics/behaviour?format=csv&chart=pie").fieldError("chart"))
                .contains("counters");
        var unknown = admin.inLanguage("zh-CN").get("/api/v1/analytics/customers?storeCode=NO-SUCH-STORE");
        assertThat(unknown.status()).isEqualTo(400);
        assertThat(unknown.fieldError("storeCode")).contains("没有编码为");
    }
}
