package dev.patron.insights;

import java.util.List;
import org.apache.commons.math3.special.Gamma;

/**
 * The BG/NBD purchase-process model (Fader, Hardie &amp; Lee 2005, "Counting Your Customers the Easy
 * Way", Marketing Science 24(2)): while alive, a member buys as a Poisson process with rate λ ~
 * Gamma(r, α); after each purchase they drop out with probability p ~ Beta(a, b). Time is in weeks.
 * Formulas and their equation numbers are in docs/MODELS.md. Pure math, no Spring.
 */
final class BgNbd {

    private BgNbd() {}

    /** Model parameters: r, alpha (purchase rate), a, b (dropout). */
    record Params(double r, double alpha, double a, double b) {
        boolean finite() {
            return Double.isFinite(r)
                    && Double.isFinite(alpha)
                    && Double.isFinite(a)
                    && Double.isFinite(b)
                    && r > 0
                    && alpha > 0
                    && a > 0
                    && b > 0;
        }
    }

    /**
     * Members with the same sufficient statistics: x repeat purchase days, t_x weeks from first to
     * last purchase, T weeks from first purchase to the end of the window; {@code members} of them.
     */
    record Group(int x, double tx, double t, long members) {}

    /** Log-likelihood of one member (FHL 2005 eq. 6, computed in logs). */
    static double logLikelihood(Params p, int x, double tx, double t) {
        double r = p.r(), alpha = p.alpha(), a = p.a(), b = p.b();
        double lnA1 = Gamma.logGamma(r + x) - Gamma.logGamma(r) + r * Math.log(alpha);
        double lnA2 = Gamma.logGamma(a + b) + Gamma.logGamma(b + x) - Gamma.logGamma(b) - Gamma.logGamma(a + b + x);
        double lnA3 = -(r + x) * Math.log(alpha + t);
        if (x == 0) {
            return lnA1 + lnA2 + lnA3;
        }
        double lnA4 = Math.log(a) - Math.log(b + x - 1) - (r + x) * Math.log(alpha + tx);
        double max = Math.max(lnA3, lnA4);
        return lnA1 + lnA2 + max + Math.log(Math.exp(lnA3 - max) + Math.exp(lnA4 - max));
    }

    /** Sum of the members' log-likelihoods. */
    static double logLikelihood(Params p, List<Group> groups) {
        double sum = 0;
        for (Group g : groups) {
            sum += g.members() * logLikelihood(p, g.x(), g.tx(), g.t());
        }
        return sum;
    }

    /** P(alive | x, t_x, T) (FHL 2005 eq. 13); 1 for members who bought only once. */
    static double pAlive(Params p, int x, double tx, double t) {
        if (x == 0) {
            return 1.0;
        }
        double lnTerm =
                Math.log(p.a()) - Math.log(p.b() + x - 1) + (p.r() + x) * Math.log((p.alpha() + t) / (p.alpha() + tx));
        return 1.0 / (1.0 + Math.exp(lnTerm));
    }

    /**
     * E[Y(horizon) | x, t_x, T]: expected purchase days in the next {@code horizon} weeks (FHL 2005
     * eq. 10). The hypergeometric factor is taken through Euler's transformation, 2F1(a,b;c;z) =
     * (1-z)^(c-a-b) 2F1(c-a,c-b;c;z), which leaves small upper parameters (a+b-1-r, a-1) whatever x
     * is, so the series stays well scaled for heavy buyers.
     */
    /** Above this many climbing terms (≈ (a-1)·z/(1-z)) the Euler form is not tried. */
    static final double EULER_CLIMB_LIMIT = 20_000;

    static double expectedPurchases(Params p, int x, double tx, double t, double horizon) {
        if (horizon <= 0) {
            return 0;
        }
        double r = p.r(), alpha = p.alpha(), a = p.a(), b = p.b();
        double z = horizon / (alpha + t + horizon);
        // ((alpha+T)/(alpha+T+t))^(r+x) * 2F1(r+x, b+x; a+b+x-1; z) = (1-z)^(a-1) * 2F1(a+b-1-r, a-1; a+b+x-1; z)
        // the Euler form suits heavy buyers (large x); with large a (little heterogeneity in the dropout
        // probability) its terms climb for ~a·z/(1-z) steps, while the original form converges at
        // once: take the Euler form while it converges quickly, else the original one
        // (the climb is known beforehand: skipping a Euler attempt bound to fail saves its 100,000
        // terms, which made scoring a degenerate fit take minutes)
        double logTail = Double.NaN;
        if ((a - 1) * z / (1 - z) < EULER_CLIMB_LIMIT) {
            try {
                logTail = (a - 1) * Math.log(1 - z) + logHyp2f1(a + b - 1 - r, a - 1, a + b + x - 1, z, 100_000);
            } catch (ArithmeticException e) {
                // fall through to the original form
            }
        }
        if (Double.isNaN(logTail)) {
            logTail = (r + x) * Math.log(1 - z) + logHyp2f1(r + x, b + x, a + b + x - 1, z, 10_000_000);
        }
        double tail = Math.exp(logTail);
        double numerator = (a + b + x - 1) / (a - 1) * (1 - tail);
        double denominator = 1;
        if (x > 0) {
            denominator += Math.exp(Math.log(a) - Math.log(b + x - 1) + (r + x) * Math.log((alpha + t) / (alpha + tx)));
        }
        return numerator / denominator;
    }

    /** E[X(t)]: expected repeat purchase days of a new member in their first t weeks (FHL 2005 eq. 9). */
    static double expectedRepeatPurchases(Params p, double t) {
        if (t <= 0) {
            return 0;
        }
        double r = p.r(), alpha = p.alpha(), a = p.a(), b = p.b();
        double z = t / (alpha + t);
        double tail = Math.pow(alpha / (alpha + t), r) * hyp2f1(r, b, a + b - 1, z);
        return (a + b - 1) / (a - 1) * (1 - tail);
    }

    /**
     * The Gauss hypergeometric function 2F1(a, b; c; z) for 0 ≤ z &lt; 1 by its power series Σ
     * (a)_n (b)_n / (c)_n z^n / n!, summed until a term past the largest no longer changes the sum in
     * double precision. Terms are kept relative to a running scale (their logarithm), so a series
     * whose terms first grow far beyond the double range (large a, b: a model with little
     * heterogeneity) still sums; it converges for |z| &lt; 1 and takes more terms near 1 or with large
     * parameters (at most ten million, else {@link ArithmeticException}).
     */
    static double hyp2f1(double a, double b, double c, double z) {
        double log = logHyp2f1(a, b, c, z);
        double value = Math.exp(log);
        if (!Double.isFinite(value)) {
            throw new ArithmeticException("2F1 exceeds the double range for z = " + z);
        }
        return value;
    }

    /** The natural logarithm of {@link #hyp2f1} (for a positive value), without leaving the double range. */
    static double logHyp2f1(double a, double b, double c, double z) {
        return logHyp2f1(a, b, c, z, 10_000_000);
    }

    /** {@link #logHyp2f1} giving up ({@link ArithmeticException}) after {@code maxTerms} terms. */
    static double logHyp2f1(double a, double b, double c, double z, int maxTerms) {
        if (!(z >= 0 && z < 1)) {
            throw new IllegalArgumentException("2F1 needs 0 <= z < 1, got " + z);
        }
        double logScale = 0; // the sum and the current term are stored divided by exp(logScale)
        double sum = 1;
        double logTerm = 0;
        int sign = 1;
        for (int n = 0; n < maxTerms; n++) {
            double ratio = (a + n) * (b + n) / ((c + n) * (n + 1)) * z;
            if (ratio == 0) {
                return logOf(logScale, sum, z);
            }
            if (ratio < 0) {
                sign = -sign;
            }
            logTerm += Math.log(Math.abs(ratio));
            if (logTerm > logScale + 300) {
                sum *= Math.exp(logScale - logTerm);
                logScale = logTerm;
            }
            double term = sign * Math.exp(logTerm - logScale);
            sum += term;
            if (Math.abs(ratio) < 1 && n > 2 && Math.abs(term) < 1e-16 * Math.abs(sum)) {
                return logOf(logScale, sum, z);
            }
        }
        throw new ArithmeticException("2F1 series did not converge for z = " + z);
    }

    private static double logOf(double logScale, double scaledSum, double z) {
        if (!(scaledSum > 0)) {
            throw new ArithmeticException("2F1 is not positive for z = " + z);
        }
        return logScale + Math.log(scaledSum);
    }
}
