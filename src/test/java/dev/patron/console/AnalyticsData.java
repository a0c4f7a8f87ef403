package dev.patron.console;

import static dev.patron.sales.SalesFixtures.line;
import static dev.patron.sales.SalesFixtures.with;
import static org.assertj.core.api.Assertions.assertThat;

import dev.patron.ApiClient;
import dev.patron.TestData;
import dev.patron.sales.SalesFixtures;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Members and tickets for the analytics page and browser tests, over the real API: two stores, 14
 * members of varied profiles who joined over the last 10 months, and about 60 tickets over those
 * months (fixed random seed), so that every dashboard of the default period has something to show.
 */
final class AnalyticsData {

    final SalesFixtures fx;
    final List<Long> members = new ArrayList<>();

    private AnalyticsData(SalesFixtures fx) {
        this.fx = fx;
    }

    static AnalyticsData create(ApiClient admin) {
        AnalyticsData d = new AnalyticsData(new SalesFixtures(admin));
        d.fill(admin);
        return d;
    }

    private void fill(ApiClient admin) {
        LocalDate today = LocalDate.now(ZoneId.of("Asia/Shanghai"));
        Random r = new Random(11);
        String[] cities = {"上海", "上海", "上海", "杭州", "杭州", "苏州", "南京", null};
        String[] genders = {"FEMALE", "FEMALE", "MALE", null};
        String[] channels = {"STORE_DESK", "POS", "WEBSITE", "ECOMMERCE"};
        for (int i = 0; i < 14; i++) {
            Map<String, Object> m = new HashMap<>();
            m.put("name", "看板" + TestData.unique(""));
            m.put("phone", SalesFixtures.phone());
            m.put("preferredStoreCode", i % 5 == 4 ? fx.otherStore : fx.store);
            m.put("joinChannel", channels[r.nextInt(channels.length)]);
            m.put(
                    "joinedOn",
                    today.withDayOfMonth(1)
                            .minusMonths(9 - i * 9 / 14)
                            .plusDays(r.nextInt(25))
                            .toString());
            String g = genders[r.nextInt(genders.length)];
            if (g != null) {
                m.put("gender", g);
            }
            m.put(
                    "birthday",
                    LocalDate.of(1960 + r.nextInt(45), 1 + r.nextInt(12), 1 + r.nextInt(28))
                            .toString());
            String city = cities[r.nextInt(cities.length)];
            if (city != null) {
                m.put("city", city);
            }
            var res = admin.post("/api/v1/members", m);
            assertThat(res.status()).as(res.raw()).isEqualTo(201);
            members.add(res.json().path("id").asLong());
        }
        String[][] places = {{fx.store, fx.counterA}, {fx.store, fx.counterB}, {fx.otherStore, fx.otherCounter}};
        for (int i = 0; i < 60; i++) {
            int who = r.nextInt(members.size());
            LocalDate joined = today.withDayOfMonth(1).minusMonths(9 - who * 9 / 14);
            LocalDate day = joined.plusDays(r.nextInt((int) (today.toEpochDay() - joined.toEpochDay()) + 1));
            if (!day.isBefore(today)) {
                day = today.minusDays(1); // a ticket of today could lie in the future of the store's clock
            }
            String[] place = places[r.nextInt(places.length)];
            long fen = 2_000 + r.nextInt(60_000);
            Map<String, Object> l =
                    new HashMap<>(line("S", place[1], r.nextBoolean() ? fx.brandA : fx.brandB, 1, fen, 0));
            l.put("categoryCode", fx.category);
            Map<String, Object> s = with(
                    fx.sale(TestData.unique("T"), fen, List.of(l)),
                    "memberId",
                    members.get(who),
                    "storeCode",
                    place[0],
                    "businessDate",
                    day.toString(),
                    "occurredAt",
                    day + "T12:00:00+08:00");
            var res = admin.post("/api/v1/sales", s);
            assertThat(res.status()).as(res.raw()).isEqualTo(201);
        }
    }
}
