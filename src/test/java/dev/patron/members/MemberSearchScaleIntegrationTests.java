package dev.patron.members;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patron.ApiClient;
import dev.patron.PatronIntegrationTest;
import dev.patron.TestData;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * What keeps member search and lookup cheap at millions of members, over real HTTP: a broad search
 * counts only up to the limit and says that its total is a lower bound; server-side latency
 * histograms are published for the benchmark.
 */
@PatronIntegrationTest
class MemberSearchScaleIntegrationTests {

    /** patron.members.search-count-limit's default */
    static final int LIMIT = 10_000;

    @LocalServerPort
    int port;

    @Autowired
    JdbcClient jdbc;

    ApiClient api;

    @BeforeEach
    void setUp() {
        api = new ApiClient(port, TestData.BOOTSTRAP_API_KEY);
    }

    /** {@code count} active members named prefix + 1..count, written set-based. */
    static void members(JdbcClient jdbc, String prefix, int count) {
        jdbc.sql("""
                insert into members.member(name, name_pinyin, name_initials, join_channel)
                select :prefix || g, '', '', 'IMPORT' from generate_series(1, :count) g""").param("prefix", prefix).param("count", count).update();
    }

    @Test
    void aBroadSearchCountsUpToTheLimitAndMarksTheTotalAsALowerBound() {
        String prefix = "计数" + TestData.unique("Q");
        members(jdbc, prefix, LIMIT + 3);
        String q = MemberApiIntegrationTests.enc(prefix);

        var broad = api.get("/api/v1/members?q=" + q);
        assertThat(broad.status()).as(broad.raw()).isEqualTo(200);
        assertThat(broad.json().path("totalItems").asLong()).isEqualTo(LIMIT);
        assertThat(broad.json().path("totalExact").asBoolean()).isFalse();
        assertThat(broad.json().path("items").size()).isEqualTo(20);

        // the last page below the limit still knows that more follow
        var nearLimit = api.get("/api/v1/members?size=20&page=499&q=" + q);
        assertThat(nearLimit.json().path("totalExact").asBoolean()).isFalse();
        assertThat(nearLimit.json().path("totalItems").asLong()).isEqualTo(LIMIT);
        assertThat(nearLimit.json().path("items").size()).isEqualTo(20);

        // paging past the limit counts far enough to be exact again
        var beyond = api.get("/api/v1/members?size=20&page=500&q=" + q);
        assertThat(beyond.json().path("totalExact").asBoolean()).isTrue();
        assertThat(beyond.json().path("totalItems").asLong()).isEqualTo(LIMIT + 3);
        assertThat(beyond.json().path("items").size()).isEqualTo(3);

        // a narrower term is counted exactly
        var narrow = api.get("/api/v1/members?q=" + MemberApiIntegrationTests.enc(prefix + "100"));
        assertThat(narrow.json().path("totalExact").asBoolean()).isTrue();
        assertThat(narrow.json().path("totalItems").asLong())
                .as("…100, …1000 to …1009 and …10000 to …10003")
                .isEqualTo(15);
    }

    /** Lower-case letters unique to this call, usable as a pinyin term. */
    static String letters() {
        StringBuilder b = new StringBuilder("zq");
        for (char c : Long.toString(System.nanoTime(), 26).toCharArray()) {
            b.append((char) (Character.isDigit(c) ? 'a' + (c - '0') : 'k' + (c - 'a')));
        }
        return b.toString();
    }

    /** An active member with this name and pinyin (initials: the pinyin's first letter). */
    long member(String name, String pinyin) {
        return jdbc.sql("""
                        insert into members.member(name, name_pinyin, name_initials, join_channel)
                        values (?, ?, ?, 'IMPORT') returning id""")
                .params(name, pinyin, pinyin.substring(0, 1))
                .query(Long.class)
                .single();
    }

    @Test
    void pinyinContainsIsSearchedOnlyWhenFewerThanTwentyStartWithTheTerm() {
        String term = letters();
        long inside = member("内含", "ab" + term);
        var rare = api.get("/api/v1/members?size=50&q=" + term);
        assertThat(rare.json().path("items").findValues("id").stream().map(n -> n.asLong()))
                .as("nobody starts with the term: found inside the pinyin")
                .containsExactly(inside);
        List<Long> starting = new ArrayList<>();
        for (int i = 0; i < MemberManagement.CONTAINS_BELOW; i++) {
            starting.add(member("前缀" + i, term + "x" + i));
        }
        var broad = api.get("/api/v1/members?size=50&q=" + term);
        assertThat(broad.json().path("items").findValues("id").stream().map(n -> n.asLong()))
                .as("enough start with it: prefix matches only")
                .containsExactlyInAnyOrderElementsOf(starting);
        assertThat(broad.json().path("items").findValuesAsString("name"))
                .as("without a sort, by pinyin (前缀0 zq…x0, 前缀1 zq…x1, 前缀10 zq…x10, …)")
                .startsWith("前缀0", "前缀1", "前缀10", "前缀11");
        assertThat(broad.json().path("totalItems").asLong()).isEqualTo(MemberManagement.CONTAINS_BELOW);
        var byId = api.get("/api/v1/members?size=50&sort=id&q=" + term);
        assertThat(byId.json().path("items").findValues("id").stream().map(n -> n.asLong()))
                .containsExactlyElementsOf(starting);
        var descending = api.get("/api/v1/members?size=3&sort=-id&q=" + term);
        assertThat(descending.json().path("items").findValues("id").stream().map(n -> n.asLong()))
                .containsExactly(
                        starting.get(starting.size() - 1),
                        starting.get(starting.size() - 2),
                        starting.get(starting.size() - 3));
        var byName = api.get("/api/v1/members?size=50&sort=name&q=" + term);
        assertThat(byName.json().path("totalItems").asLong())
                .as("the same matches in any order")
                .isEqualTo(MemberManagement.CONTAINS_BELOW);
    }

    @Test
    void aNameTermPagesThroughItsMatchesByNameWithoutDuplicates() {
        String prefix = "分页" + TestData.unique("Q");
        members(jdbc, prefix, 45);
        String q = MemberApiIntegrationTests.enc(prefix);
        List<String> all = new ArrayList<>();
        for (int page = 0; page < 3; page++) {
            var res = api.get("/api/v1/members?size=20&page=" + page + "&q=" + q);
            assertThat(res.json().path("totalItems").asLong()).isEqualTo(45);
            res.json().path("items").forEach(m -> all.add(m.path("name").asString()));
        }
        assertThat(all).hasSize(45).doesNotHaveDuplicates().isSorted();
        List<Long> byId = new ArrayList<>();
        for (int page = 0; page < 3; page++) {
            api.get("/api/v1/members?size=20&sort=id&page=" + page + "&q=" + q)
                    .json()
                    .path("items")
                    .forEach(m -> byId.add(m.path("id").asLong()));
        }
        assertThat(byId).hasSize(45).doesNotHaveDuplicates().isSorted();
    }

    @Test
    void initialsMatchesFollowPinyinMatchesAndAreNotCountedTwice() {
        String term = letters();
        long both = jdbc.sql("""
                        insert into members.member(name, name_pinyin, name_initials, join_channel)
                        values ('两者', ?, ?, 'IMPORT') returning id""").params(term + "a", term).query(Long.class).single();
        long byInitials = jdbc.sql("""
                        insert into members.member(name, name_pinyin, name_initials, join_channel)
                        values ('缩写', 'b', ?, 'IMPORT') returning id""").param(term + "b").query(Long.class).single();
        long byPinyin = member("拼音", term + "c");
        var res = api.get("/api/v1/members?q=" + term);
        assertThat(res.json().path("items").findValues("id").stream().map(n -> n.asLong()))
                .containsExactly(both, byPinyin, byInitials);
        assertThat(res.json().path("totalItems").asLong()).isEqualTo(3);
    }

    @Test
    void exactListsElsewhereSayTheirTotalIsExact() {
        String prefix = "精确" + TestData.unique("Q");
        members(jdbc, prefix, 3);
        var res = api.get("/api/v1/members?q=" + MemberApiIntegrationTests.enc(prefix));
        assertThat(res.json().path("totalItems").asLong()).isEqualTo(3);
        assertThat(res.json().path("totalExact").asBoolean()).isTrue();
        var stores = api.get("/api/v1/stores");
        assertThat(stores.status()).isEqualTo(200);
        assertThat(stores.json().path("totalExact").asBoolean())
                .as("every PageResult carries the flag")
                .isTrue();
    }

    @Test
    void prometheusPublishesLatencyHistogramBucketsOfTheLookup() {
        api.get("/api/v1/members/lookup?phone=13800000000"); // 404 or 200: either is a timed request
        var metrics = api.send("GET", "/actuator/prometheus", null, "text/plain");
        assertThat(metrics.status()).isEqualTo(200);
        assertThat(metrics.raw())
                .as("the 5 ms SLO bucket of the lookup target")
                .containsPattern(
                        "http_server_requests_seconds_bucket\\{[^}]*uri=\"/api/v1/members/lookup\"[^}]*le=\"0\\.005\"");
        long buckets = metrics.raw()
                .lines()
                .filter(l -> l.startsWith("http_server_requests_seconds_bucket{")
                        && l.contains("uri=\"/api/v1/members/lookup\""))
                .map(l -> l.replaceAll(".*le=\"([^\"]+)\".*", "$1"))
                .distinct()
                .count();
        assertThat(buckets)
                .as("percentile histogram buckets, not only the SLO ones, to read p99 from")
                .isGreaterThan(30);
    }
}
