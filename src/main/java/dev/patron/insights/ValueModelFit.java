package dev.patron.insights;

import java.time.Instant;
import java.time.LocalDate;
import java.util.List;

/**
 * One fit of the member value model as stored in {@code insights.value_fit}: the calibration
 * window, the BG/NBD parameters (r, alpha, a, b) with their log-likelihood, the Gamma-Gamma
 * parameters (p, q, gamma; spend in yuan) with theirs, how many members and repeat buyers it saw,
 * who ran it and when. A FAILED fit has no parameters and says why ({@code failureKey}, in the
 * caller's language as {@code failure}); it never became current.
 */
public record ValueModelFit(
        long id,
        String status,
        String failure,
        LocalDate calibrationStart,
        LocalDate calibrationEnd,
        Double r,
        Double alpha,
        Double a,
        Double b,
        Double logLikelihood,
        Double p,
        Double q,
        Double gamma,
        Double spendLogLikelihood,
        long members,
        long repeatBuyers,
        long cells,
        int evaluations,
        String fittedBy,
        Instant fittedAt,
        boolean current,
        Chart chart) {

    /**
     * Cumulative repeat purchase days of the calibration cohort, week by week from the window start:
     * {@code actual} counted from the sales, {@code predicted} by the model (sum of E[X(t)] over the
     * members from their first purchase); weeks after {@code calibrationWeeks} are the holdout.
     */
    public record Chart(int calibrationWeeks, List<Integer> weeks, List<Long> actual, List<Double> predicted) {}
}
