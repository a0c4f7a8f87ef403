package dev.patron.campaigns;

/**
 * Incremental sales per member of recipients over the control group, with a 95% confidence
 * interval by the normal approximation with Welch's (unpooled) standard error:
 * {@code lift = x̄t − x̄c}, {@code SE = sqrt(st²/nt + sc²/nc)}, {@code CI = lift ± 1.96·SE}, where
 * {@code s²} is the sample variance of per-member sales {@code (Σx² − n·x̄²)/(n − 1)}. The response
 * rate difference uses the same form with {@code p(1−p)/n}. Needs at least two members per group;
 * otherwise the interval is absent. Model arithmetic in double; money results are rounded to fen.
 */
public record Lift(
        long treatmentMembers,
        long controlMembers,
        double treatmentMeanFen,
        double controlMeanFen,
        double liftPerMemberFen,
        Double standardErrorFen,
        Double lowFen,
        Double highFen,
        double treatmentResponseRate,
        double controlResponseRate,
        Double responseRateLow,
        Double responseRateHigh,
        long incrementalSalesFen) {

    static final double Z95 = 1.959964;

    /** Sums over one group's members: count, responders, Σ sales (fen) and Σ sales² (fen²). */
    public record GroupSums(long members, long responders, long salesFen, double salesSquaresFen) {
        double mean() {
            return members == 0 ? 0 : (double) salesFen / members;
        }

        Double variance() {
            if (members < 2) {
                return null;
            }
            double m = mean();
            return Math.max(0, (salesSquaresFen - members * m * m) / (members - 1));
        }

        double rate() {
            return members == 0 ? 0 : (double) responders / members;
        }
    }

    public static Lift of(GroupSums t, GroupSums c) {
        double lift = t.mean() - c.mean();
        Double vt = t.variance();
        Double vc = c.variance();
        Double se = vt == null || vc == null ? null : Math.sqrt(vt / t.members() + vc / c.members());
        Double rateLow = null;
        Double rateHigh = null;
        if (t.members() > 1 && c.members() > 1) {
            double rse = Math.sqrt(t.rate() * (1 - t.rate()) / t.members() + c.rate() * (1 - c.rate()) / c.members());
            rateLow = t.rate() - c.rate() - Z95 * rse;
            rateHigh = t.rate() - c.rate() + Z95 * rse;
        }
        long incremental = c.members() == 0 ? 0 : Math.round(lift * t.members());
        return new Lift(
                t.members(),
                c.members(),
                t.mean(),
                c.mean(),
                lift,
                se,
                se == null ? null : lift - Z95 * se,
                se == null ? null : lift + Z95 * se,
                t.rate(),
                c.rate(),
                rateLow,
                rateHigh,
                incremental);
    }
}
