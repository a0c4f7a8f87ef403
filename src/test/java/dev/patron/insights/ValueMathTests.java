package dev.patron.insights;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.assertj.core.data.Percentage;
import org.junit.jupiter.api.Test;

/**
 * The value-model math without the database: the hypergeometric series against closed forms, the
 * likelihoods at the published parameters, and the fits on the CDNOW sample read straight from the
 * file (the integration test repeats the fit on data imported through Patron's sales import).
 */
class ValueMathTests {

    static final Path CDNOW = Path.of("src/test/resources/data/CDNOW_sample.txt");

    @Test
    void hypergeometricSeriesMatchesClosedForms() {
        for (double z : new double[] {0.0, 0.1, 0.5, 0.9, 0.99}) {
            // 2F1(1,1;2;z) = -ln(1-z)/z
            double expected = z == 0 ? 1 : -Math.log(1 - z) / z;
            assertThat(BgNbd.hyp2f1(1, 1, 2, z)).isCloseTo(expected, within(1e-12));
            // 2F1(a,b;b;z) = (1-z)^-a
            assertThat(BgNbd.hyp2f1(0.7, 2.5, 2.5, z)).isCloseTo(Math.pow(1 - z, -0.7), within(1e-9));
        }
        // 2F1(1/2,1/2;3/2;x^2) = arcsin(x)/x
        double x = 0.8;
        assertThat(BgNbd.hyp2f1(0.5, 0.5, 1.5, x * x)).isCloseTo(Math.asin(x) / x, within(1e-12));
        // Euler's transformation 2F1(a,b;c;z) = (1-z)^(c-a-b) 2F1(c-a,c-b;c;z), which expectedPurchases relies on
        double a = 0.243, b = 2.426, c = 2.219, z = 0.9;
        assertThat(BgNbd.hyp2f1(a, b, c, z))
                .isCloseTo(Math.pow(1 - z, c - a - b) * BgNbd.hyp2f1(c - a, c - b, c, z), within(1e-9));
        // 2F1(1,1;2;0.5) = 2 ln 2
        assertThat(BgNbd.hyp2f1(1, 1, 2, 0.5)).isCloseTo(2 * Math.log(2), within(1e-14));
    }

    /**
     * Large parameters (a fit with little heterogeneity, as on generated demo data) make the series'
     * terms grow far past the double range before they shrink: the logarithm still comes out exact,
     * 2F1(a, b; b; z) = (1 - z)^-a, and the conditional expectation stays finite.
     */
    @Test
    void theSeriesSurvivesTermsBeyondTheDoubleRange() {
        double a = 5_000, b = 8_000, z = 0.55;
        assertThat(BgNbd.logHyp2f1(a, b, b, z)).isCloseTo(-a * Math.log(1 - z), within(1e-6));
        BgNbd.Params heavy = new BgNbd.Params(0.9, 6.0, 4_000, 30_000);
        double e = BgNbd.expectedPurchases(heavy, 12, 40.0, 52.0, 52.0);
        assertThat(e).isFinite().isPositive().isLessThan(52.0);
        // both forms of the conditional expectation agree where both converge
        double zz = 52.0 / (6.0 + 52.0 + 52.0);
        double euler = (4_000 - 1) * Math.log(1 - zz)
                + BgNbd.logHyp2f1(4_000 + 30_000 - 1 - 0.9, 4_000 - 1, 4_000 + 30_000 + 12 - 1, zz);
        double original =
                (0.9 + 12) * Math.log(1 - zz) + BgNbd.logHyp2f1(0.9 + 12, 30_000 + 12, 4_000 + 30_000 + 12 - 1, zz);
        assertThat(euler).isCloseTo(original, within(1e-9));
        // a degenerate fit (a, b in the millions) is scored at once through the original form
        double fast = BgNbd.expectedPurchases(new BgNbd.Params(0.9, 6.0, 2e6, 2e7), 12, 40.0, 52.0, 52.0);
        assertThat(fast).isFinite().isPositive().isLessThan(52.0);
    }

    @Test
    void conditionalExpectationIsThePublishedOne() {
        var p = new BgNbd.Params(0.243, 4.414, 0.793, 2.426);
        assertThat(BgNbd.expectedPurchases(p, 2, 30.43, 38.86, 39)).isCloseTo(1.226, within(0.001));
        // a member who never came back: P(alive) = 1, and a heavy buyer long gone is nearly dead
        assertThat(BgNbd.pAlive(p, 0, 0, 30)).isEqualTo(1.0);
        assertThat(BgNbd.pAlive(p, 20, 5, 38)).isLessThan(0.01);
        // the Euler form stays finite for heavy buyers
        assertThat(BgNbd.expectedPurchases(p, 150, 38, 38.5, 52)).isFinite().isPositive();
        // E[X(t)] grows with t and starts at 0
        assertThat(BgNbd.expectedRepeatPurchases(p, 0)).isZero();
        assertThat(BgNbd.expectedRepeatPurchases(p, 78)).isGreaterThan(BgNbd.expectedRepeatPurchases(p, 39));
    }

    @Test
    void bgNbdFitOnTheCdnowSampleMatchesFaderHardieLee() throws IOException {
        Map<List<Double>, Long> cells = new HashMap<>();
        for (double[] s : cdnowStats()) {
            cells.merge(List.of(s[0], s[1], s[2]), 1L, Long::sum);
        }
        List<BgNbd.Group> groups = new ArrayList<>();
        cells.forEach((k, n) -> groups.add(new BgNbd.Group(k.get(0).intValue(), k.get(1), k.get(2), n)));
        var published = new BgNbd.Params(0.243, 4.414, 0.793, 2.426);
        assertThat(BgNbd.logLikelihood(published, groups)).isCloseTo(-9582.4, within(0.5));

        var fit = LogSpaceMaximizer.maximize(
                q -> BgNbd.logLikelihood(new BgNbd.Params(q[0], q[1], q[2], q[3]), groups), new double[] {1, 1, 1, 1});
        assertThat(fit.converged()).isTrue();
        assertThat(fit.params()[0]).isCloseTo(0.243, Percentage.withPercentage(1));
        assertThat(fit.params()[1]).isCloseTo(4.414, Percentage.withPercentage(1));
        assertThat(fit.params()[2]).isCloseTo(0.793, Percentage.withPercentage(1));
        assertThat(fit.params()[3]).isCloseTo(2.426, Percentage.withPercentage(1));
        assertThat(fit.logLikelihood()).isCloseTo(-9582.4, within(0.1));
    }

    @Test
    void gammaGammaFitOnTheCdnowSampleMatchesFaderHardie() throws IOException {
        List<GammaGamma.Buyer> buyers = new ArrayList<>();
        for (double[] s : cdnowStats()) {
            if (s[0] > 0) {
                buyers.add(new GammaGamma.Buyer((int) s[0], s[3], 1));
            }
        }
        assertThat(buyers).hasSize(946);
        var fit = LogSpaceMaximizer.maximize(
                q -> GammaGamma.logLikelihood(new GammaGamma.Params(q[0], q[1], q[2]), buyers), new double[] {1, 1, 1});
        assertThat(fit.converged()).isTrue();
        assertThat(fit.params()[0]).isCloseTo(6.25, Percentage.withPercentage(1));
        assertThat(fit.params()[1]).isCloseTo(3.74, Percentage.withPercentage(1));
        assertThat(fit.params()[2]).isCloseTo(15.44, Percentage.withPercentage(1));
        var p = new GammaGamma.Params(fit.params()[0], fit.params()[1], fit.params()[2]);
        // shrinks towards the population mean p*gamma/(q-1)
        double population = GammaGamma.expectedSpend(p, 0, 0);
        double own = 100;
        double expected = GammaGamma.expectedSpend(p, 3, own);
        assertThat(expected).isBetween(population, own);
    }

    /** Per customer of the sample: x, t_x, T (weeks) and mean repeat spend, 39-week calibration, days merged. */
    static List<double[]> cdnowStats() throws IOException {
        LocalDate end = LocalDate.of(1997, 9, 30);
        Map<String, TreeMap<LocalDate, Double>> days = new HashMap<>();
        for (String line : Files.readAllLines(CDNOW)) {
            String[] f = line.trim().split("\\s+");
            LocalDate d = LocalDate.parse(f[2], java.time.format.DateTimeFormatter.BASIC_ISO_DATE);
            if (!d.isAfter(end)) {
                days.computeIfAbsent(f[1], k -> new TreeMap<>()).merge(d, Double.parseDouble(f[4]), Double::sum);
            }
        }
        List<double[]> out = new ArrayList<>();
        for (TreeMap<LocalDate, Double> m : days.values()) {
            LocalDate first = m.firstKey();
            int x = m.size() - 1;
            double repeat = m.values().stream().mapToDouble(Double::doubleValue).sum()
                    - m.firstEntry().getValue();
            out.add(new double[] {
                x,
                ChronoUnit.DAYS.between(first, m.lastKey()) / 7.0,
                ChronoUnit.DAYS.between(first, end) / 7.0,
                x == 0 ? 0 : repeat / x
            });
        }
        return out;
    }
}
