package dev.patron.members;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patron.ApiClient;
import dev.patron.PatronIntegrationTest;
import dev.patron.TestData;
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
