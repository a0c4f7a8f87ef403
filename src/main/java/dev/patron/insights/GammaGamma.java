package dev.patron.insights;

import java.util.List;
import org.apache.commons.math3.special.Gamma;

/**
 * The Gamma-Gamma model of spend per purchase (Fader &amp; Hardie 2013, "The Gamma-Gamma Model of
 * Monetary Value"): a member's purchase amounts are Gamma(p, ν) around their own mean, and ν varies
 * across members as Gamma(q, γ). Fitted to repeat buyers' average repeat spend; amounts in yuan.
 * Pure math, no Spring.
 */
final class GammaGamma {

    private GammaGamma() {}

    record Params(double p, double q, double gamma) {
        boolean finite() {
            return Double.isFinite(p) && Double.isFinite(q) && Double.isFinite(gamma) && p > 0 && q > 0 && gamma > 0;
        }
    }

    /** Repeat buyers with x repeat purchases averaging {@code mean} (yuan); {@code members} of them. */
    record Buyer(int x, double mean, long members) {}

    /** Log-likelihood of one buyer's average spend (Fader &amp; Hardie 2013, eq. 3, in logs). */
    static double logLikelihood(Params par, int x, double mean) {
        double p = par.p(), q = par.q(), g = par.gamma();
        return Gamma.logGamma(p * x + q)
                - Gamma.logGamma(p * x)
                - Gamma.logGamma(q)
                + q * Math.log(g)
                + (p * x - 1) * Math.log(mean)
                + p * x * Math.log(x)
                - (p * x + q) * Math.log(g + mean * x);
    }

    static double logLikelihood(Params par, List<Buyer> buyers) {
        double sum = 0;
        for (Buyer b : buyers) {
            sum += b.members() * logLikelihood(par, b.x(), b.mean());
        }
        return sum;
    }

    /**
     * E[M | p, q, γ, m_x, x]: expected spend per purchase (eq. 5), a weighted mean of the population
     * mean pγ/(q-1) and the member's own average; the population mean for members without repeat
     * purchases. Needs q &gt; 1 (otherwise the population mean is infinite).
     */
    static double expectedSpend(Params par, int x, double mean) {
        double p = par.p(), q = par.q(), g = par.gamma();
        if (x <= 0) {
            return p * g / (q - 1);
        }
        return (g + mean * x) * p / (p * x + q - 1);
    }
}
