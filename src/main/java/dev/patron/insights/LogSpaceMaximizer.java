package dev.patron.insights;

import java.util.function.ToDoubleFunction;
import org.apache.commons.math3.exception.TooManyEvaluationsException;
import org.apache.commons.math3.optim.InitialGuess;
import org.apache.commons.math3.optim.MaxEval;
import org.apache.commons.math3.optim.MaxIter;
import org.apache.commons.math3.optim.PointValuePair;
import org.apache.commons.math3.optim.nonlinear.scalar.GoalType;
import org.apache.commons.math3.optim.nonlinear.scalar.ObjectiveFunction;
import org.apache.commons.math3.optim.nonlinear.scalar.noderiv.NelderMeadSimplex;
import org.apache.commons.math3.optim.nonlinear.scalar.noderiv.SimplexOptimizer;

/**
 * Maximises a log-likelihood over positive parameters by Nelder-Mead on their logarithms (Commons
 * Math's {@link SimplexOptimizer}), restarting from the optimum until a restart no longer improves
 * it: Nelder-Mead can stall on a flat ridge, and a fresh simplex gets it moving again. Converged
 * means the last restart moved the log-likelihood by less than 1e-9 (relative) within the budget.
 */
final class LogSpaceMaximizer {

    /** The optimum (parameters, not their logs), its log-likelihood, whether it converged, evaluations used. */
    record Result(double[] params, double logLikelihood, boolean converged, int evaluations) {}

    static final int MAX_EVALUATIONS = 40_000;
    private static final int MAX_RESTARTS = 8;

    private LogSpaceMaximizer() {}

    static Result maximize(ToDoubleFunction<double[]> logLikelihood, double[] start) {
        int n = start.length;
        double[] logs = new double[n];
        for (int i = 0; i < n; i++) {
            logs[i] = Math.log(start[i]);
        }
        ObjectiveFunction f = new ObjectiveFunction(point -> {
            double[] params = new double[n];
            for (int i = 0; i < n; i++) {
                params[i] = Math.exp(point[i]);
            }
            double ll = logLikelihood.applyAsDouble(params);
            return Double.isFinite(ll) ? ll : Double.NEGATIVE_INFINITY;
        });
        double best = Double.NEGATIVE_INFINITY;
        int used = 0;
        boolean converged = false;
        for (int restart = 0; restart < MAX_RESTARTS && used < MAX_EVALUATIONS; restart++) {
            SimplexOptimizer optimizer = new SimplexOptimizer(1e-12, 1e-12);
            PointValuePair optimum;
            try {
                optimum = optimizer.optimize(
                        new MaxEval(MAX_EVALUATIONS - used),
                        new MaxIter(MAX_EVALUATIONS),
                        f,
                        GoalType.MAXIMIZE,
                        new InitialGuess(logs),
                        new NelderMeadSimplex(n, 0.5));
            } catch (TooManyEvaluationsException e) {
                return new Result(exp(logs), best, false, MAX_EVALUATIONS);
            }
            used += optimizer.getEvaluations();
            double value = optimum.getValue();
            if (!Double.isFinite(value)) {
                return new Result(exp(logs), best, false, used);
            }
            boolean improved = value > best + 1e-9 * Math.abs(value);
            if (value > best) {
                best = value;
                logs = optimum.getPoint();
            }
            if (!improved) {
                converged = true;
                break;
            }
        }
        return new Result(exp(logs), best, converged, used);
    }

    private static double[] exp(double[] logs) {
        double[] out = new double[logs.length];
        for (int i = 0; i < logs.length; i++) {
            out[i] = Math.exp(logs[i]);
        }
        return out;
    }
}
