package dev.patron.segments;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patron.ApiClient;
import dev.patron.PatronIntegrationTest;
import dev.patron.TestData;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The real-data check of issue 6: the CDNOW master file loaded through Patron's member and sales
 * imports ({@link CdnowMaster}), quintile RFM as of 1998-06-30 (recency in days from the last
 * purchase, frequency = distinct purchase days, monetary = total spend) from
 * {@code GET /api/v1/rfm/export} over the CDNOW store, checked against the same figures computed
 * here in plain Java from the raw file.
 */
@PatronIntegrationTest
class CdnowRfmTests {

    @LocalServerPort
    int port;

    @Autowired
    JdbcClient jdbc;

    /** Per customer from the raw file: recency days, distinct purchase days, cents. */
    record Expected(int recency, int frequency, long monetary) {}

    @Test
    void quintileRfmOfCdnowAsOfJune1998MatchesTheRawFile() {
        CdnowMaster cdnow = CdnowMaster.load(port, jdbc);

        // independent figures from the raw file
        Map<Integer, java.time.LocalDate> last = new HashMap<>();
        Map<Integer, Set<java.time.LocalDate>> days = new HashMap<>();
        Map<Integer, Long> cents = new HashMap<>();
        for (CdnowMaster.Line l : CdnowMaster.read()) {
            last.merge(l.customer(), l.date(), (a, b) -> a.isAfter(b) ? a : b);
            days.computeIfAbsent(l.customer(), k -> new HashSet<>()).add(l.date());
            cents.merge(l.customer(), l.cents(), Long::sum);
        }
        List<Integer> customers = last.keySet().stream().sorted().toList();
        assertThat(customers).hasSize(23_570);
        int n = customers.size();
        long[] r = new long[n];
        long[] f = new long[n];
        long[] m = new long[n];
        Map<Integer, Expected> expected = new HashMap<>();
        for (int i = 0; i < n; i++) {
            int c = customers.get(i);
            int recency = (int) ChronoUnit.DAYS.between(last.get(c), CdnowMaster.AS_OF_ORIGINAL);
            expected.put(c, new Expected(recency, days.get(c).size(), cents.get(c)));
            r[i] = -recency;
            f[i] = days.get(c).size();
            m[i] = cents.get(c);
        }
        int[] rs = QuintileRule.scores(r);
        int[] fs = QuintileRule.scores(f);
        int[] ms = QuintileRule.scores(m);
        Map<Integer, int[]> expectedScores = new HashMap<>();
        Map<String, Integer> expectedCounts = new TreeMap<>();
        for (int i = 0; i < n; i++) {
            expectedScores.put(customers.get(i), new int[] {rs[i], fs[i], ms[i]});
            expectedCounts.merge("R" + rs[i], 1, Integer::sum);
            expectedCounts.merge("F" + fs[i], 1, Integer::sum);
            expectedCounts.merge("M" + ms[i], 1, Integer::sum);
        }

        // Patron's export as of 2026-06-30 (= 1998-06-30 shifted), window 24 months = the whole history
        ApiClient analyst = new ApiClient(port, TestData.BOOTSTRAP_API_KEY);
        var res = analyst.send(
                "GET",
                "/api/v1/rfm/export?asOf=" + CdnowMaster.AS_OF + "&windowMonths=24&storeId=" + cdnow.storeId,
                null,
                "text/csv");
        assertThat(res.status()).as(res.raw()).isEqualTo(200);
        String[] rows = res.raw().split("\r?\n");
        assertThat(rows[0]).isEqualTo("member_id,external_ids,recency_days,frequency,monetary_fen,r,f,m,r_band,f_band");
        assertThat(rows).hasSize(n + 1);
        Map<Long, Integer> customerOf = new HashMap<>();
        cdnow.members.forEach((c, id) -> customerOf.put(id, c));
        Map<String, Integer> counts = new TreeMap<>();
        for (int i = 1; i < rows.length; i++) {
            String[] v = rows[i].split(",", -1);
            int c = customerOf.get(Long.parseLong(v[0]));
            assertThat(v[1]).endsWith(":" + c);
            Expected e = expected.get(c);
            assertThat(new Expected(Integer.parseInt(v[2]), Integer.parseInt(v[3]), Long.parseLong(v[4])))
                    .as("customer %d", c)
                    .isEqualTo(e);
            int[] s = expectedScores.get(c);
            assertThat(new int[] {Integer.parseInt(v[5]), Integer.parseInt(v[6]), Integer.parseInt(v[7])})
                    .as("scores of customer %d", c)
                    .containsExactly(s);
            counts.merge("R" + v[5], 1, Integer::sum);
            counts.merge("F" + v[6], 1, Integer::sum);
            counts.merge("M" + v[7], 1, Integer::sum);
        }
        assertThat(counts).isEqualTo(expectedCounts);
        // equal values share a score: every one-purchase-day customer has F = 1, and F skips scores
        // (more than half the customers bought on one day only)
        assertThat(expectedCounts.get("F1")).isGreaterThan(n / 2);
        assertThat(expectedCounts).doesNotContainKey("F2");
        // a few customers' exact figures: 1 bought once (1997-01-01, $11.77), 2 twice on 1997-01-12
        assertThat(expected.get(1)).isEqualTo(new Expected(545, 1, 1177));
        assertThat(expected.get(2)).isEqualTo(new Expected(534, 1, 8900));
        assertThat(expected.get(3)).isEqualTo(new Expected(33, 6, 15_646)); // last 1998-05-28, six days, $156.46
        assertThat(expectedScores.get(1)[1]).isEqualTo(1);
    }
}
