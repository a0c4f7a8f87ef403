package dev.patron.campaigns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.patron.ApiClient;
import dev.patron.PatronIntegrationTest;
import dev.patron.TestData;
import dev.patron.sales.SalesFixtures;
import dev.patron.shared.security.Role;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * Results by R×F lifecycle cell: members who bought before the campaign are scored by the segments
 * module (its published {@code segments.v_member_rfm}), the others are not; the cell is recorded when
 * sending starts, and the results API reports recipients vs control per cell, consistent with the
 * audience, the messages and the purchases (loaded through the CSV sales import) in the window.
 */
@PatronIntegrationTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CampaignCellResultsTests {

    static final ZoneId SHANGHAI = ZoneId.of("Asia/Shanghai");

    final int port;
    final ApiClient admin;
    final JdbcClient jdbc;
    final Dispatcher dispatcher;
    SalesFixtures fx;
    ApiClient marketer;
    ApiClient approver;

    CampaignCellResultsTests(@LocalServerPort int port, @Autowired JdbcClient jdbc, @Autowired Dispatcher dispatcher) {
        this.port = port;
        this.admin = new ApiClient(port, TestData.BOOTSTRAP_API_KEY);
        this.jdbc = jdbc;
        this.dispatcher = dispatcher;
    }

    @BeforeAll
    void setUp() {
        fx = new SalesFixtures(admin);
        marketer = fx.as(Role.MARKETER);
        approver = fx.as(Role.MARKETER);
    }

    @Test
    void responseAndLiftAreBrokenDownByTheLifecycleCellAtSendTime() throws Exception {
        List<JsonNode> buyers = new ArrayList<>();
        List<JsonNode> newcomers = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            buyers.add(member("老客" + i));
            newcomers.add(member("新客" + i));
        }
        // earlier purchases: the buyers get a lifecycle cell, the newcomers stay unscored
        List<String> before = new ArrayList<>();
        for (JsonNode b : buyers) {
            before.add(saleRow(b, TestData.unique("T"), 10_000));
        }
        importSales(before);
        List<Long> buyerIds = buyers.stream().map(b -> b.path("id").asLong()).toList();
        await().atMost(Duration.ofSeconds(60))
                .until(() -> jdbc.sql("select count(*) from segments.v_member_rfm where member_id = any(?)")
                                .param(buyerIds.toArray(new Long[0]))
                                .query(Long.class)
                                .single()
                        == buyerIds.size());

        List<JsonNode> all = new ArrayList<>(buyers);
        all.addAll(newcomers);
        long id = campaign();
        var audience = marketer.put(
                "/api/v1/campaigns/" + id + "/audience",
                Map.of(
                        "kind",
                        "STATIC_LIST",
                        "entries",
                        all.stream().map(m -> "M" + m.path("id").asLong()).toList()));
        assertThat(audience.status()).as(audience.raw()).isEqualTo(200);
        assertThat(marketer.post("/api/v1/campaigns/" + id + "/submit", Map.of())
                        .status())
                .isEqualTo(200);
        assertThat(approver.post("/api/v1/campaigns/" + id + "/approve", Map.of())
                        .status())
                .isEqualTo(200);
        dispatcher.enable(false);
        try {
            assertThat(marketer.post("/api/v1/campaigns/" + id + "/schedule", Map.of())
                            .status())
                    .isEqualTo(200);
            dispatcher.runOnce();
        } finally {
            dispatcher.enable(true);
        }
        // the cell was recorded at send time for both groups
        Map<Long, String> cellOf = new HashMap<>();
        Set<Long> control = new HashSet<>();
        jdbc.sql(
                        "select member_id, r_band || '/' || f_band, control from campaigns.audience_member where campaign_id = ?")
                .param(id)
                .query((rs, n) -> {
                    cellOf.put(rs.getLong(1), rs.getString(2));
                    if (rs.getBoolean(3)) {
                        control.add(rs.getLong(1));
                    }
                    return null;
                })
                .list();
        for (long b : buyerIds) {
            assertThat(cellOf.get(b)).isEqualTo("ACTIVE/NEW");
        }
        for (JsonNode n : newcomers) {
            assertThat(cellOf.get(n.path("id").asLong())).isNull();
        }

        // in the window: half of each group of old customers buys, no newcomer does
        List<String> after = new ArrayList<>();
        Set<Long> responders = new HashSet<>();
        for (int i = 0; i < buyers.size(); i += 2) {
            after.add(saleRow(buyers.get(i), TestData.unique("T"), 5_000));
            responders.add(buyerIds.get(i));
        }
        importSales(after);

        JsonNode r = marketer.get("/api/v1/campaigns/" + id + "/results").json();
        JsonNode cells = r.path("bySegmentCell");
        Map<String, long[]> expected = new HashMap<>(); // cell -> {treatment, control, t responders, c responders}
        for (JsonNode m : all) {
            long mid = m.path("id").asLong();
            String cell = cellOf.get(mid) == null ? "null/null" : cellOf.get(mid);
            long[] e = expected.computeIfAbsent(cell, k -> new long[4]);
            boolean isControl = control.contains(mid);
            e[isControl ? 1 : 0]++;
            if (responders.contains(mid)) {
                e[isControl ? 3 : 2]++;
            }
        }
        int withBothGroups = (int)
                expected.values().stream().filter(e -> e[0] > 0 && e[1] > 0).count();
        assertThat(cells.size()).isEqualTo(withBothGroups);
        for (JsonNode c : cells) {
            String key = (c.path("rBand").isNull() ? "null" : c.path("rBand").asString()) + "/"
                    + (c.path("fBand").isNull() ? "null" : c.path("fBand").asString());
            long[] e = expected.get(key);
            assertThat(e).as(key).isNotNull();
            JsonNode lift = c.path("lift");
            assertThat(lift.path("treatmentMembers").asLong()).as(key).isEqualTo(e[0]);
            assertThat(lift.path("controlMembers").asLong()).as(key).isEqualTo(e[1]);
            assertThat(lift.path("treatmentResponseRate").asDouble())
                    .as(key)
                    .isCloseTo((double) e[2] / e[0], org.assertj.core.data.Offset.offset(1e-9));
            assertThat(lift.path("controlResponseRate").asDouble())
                    .as(key)
                    .isCloseTo((double) e[3] / e[1], org.assertj.core.data.Offset.offset(1e-9));
            double meanT = 5_000.0 * e[2] / e[0];
            double meanC = 5_000.0 * e[3] / e[1];
            assertThat(lift.path("liftPerMemberFen").asDouble())
                    .as(key)
                    .isCloseTo(meanT - meanC, org.assertj.core.data.Offset.offset(1e-6));
        }
    }

    private long campaign() {
        Map<String, Object> c = new HashMap<>();
        c.put("name", "生命周期格 " + TestData.unique("C"));
        c.put("kind", "MALL_WIDE");
        c.put("goal", "测试");
        c.put("periodStart", LocalDate.now(SHANGHAI).toString());
        c.put("periodEnd", LocalDate.now(SHANGHAI).plusDays(14).toString());
        c.put("channels", List.of("PHONE"));
        c.put("controlPct", 50);
        c.put("templates", List.of(Map.of("channel", "PHONE", "lang", "zh", "body", "{name}您好，会员日邀请")));
        var res = marketer.post("/api/v1/campaigns", c);
        assertThat(res.status()).as(res.raw()).isEqualTo(201);
        return res.json().path("id").asLong();
    }

    private JsonNode member(String name) {
        Map<String, Object> body = new HashMap<>();
        body.put("name", name);
        body.put("phone", SalesFixtures.phone());
        body.put("preferredStoreCode", fx.store);
        body.put(
                "consents",
                List.of(Map.of(
                        "channel", "PHONE",
                        "purpose", "MARKETING",
                        "granted", true,
                        "wordingVersion", "2026-11",
                        "source", "STORE")));
        var res = admin.post("/api/v1/members", body);
        assertThat(res.status()).as(res.raw()).isEqualTo(201);
        return res.json();
    }

    private String saleRow(JsonNode member, String txn, long amountFen) {
        return CampaignIntegrationTests.saleRow(fx, member, txn, amountFen);
    }

    private void importSales(List<String> rows) throws Exception {
        CampaignIntegrationTests.importSales(admin, port, rows, "cells.csv");
    }
}
