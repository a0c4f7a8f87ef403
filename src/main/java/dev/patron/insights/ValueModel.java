package dev.patron.insights;

import dev.patron.audit.AuditLog;
import dev.patron.members.MemberManagement;
import dev.patron.shared.security.CurrentStaff;
import dev.patron.shared.security.Role;
import dev.patron.shared.security.StaffPrincipal;
import dev.patron.shared.web.PageQuery;
import dev.patron.shared.web.PageResult;
import dev.patron.shared.web.PatronException;
import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.MessageSource;
import org.springframework.context.i18n.LocaleContextHolder;
import org.springframework.http.HttpStatus;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.json.JsonMapper;

/**
 * The member value model (API of the insights value part): fits BG/NBD and Gamma-Gamma to the
 * members' purchase days over a calibration window, keeps every fit as history with one current
 * model, scores every member (P(alive), expected purchases, expected spend, 12-month value, CLV)
 * into {@code insights.member_value} and answers a member's value. The sufficient statistics are
 * aggregated in SQL from {@code sales.v_sale} (SALE tickets of active members, same-day tickets one
 * purchase day, spend of a day = net of its SALE tickets) and grouped by identical (x, t_x, T)
 * before the fit, which runs in memory. Math and sources: docs/MODELS.md.
 *
 * <p>Roles: fitting is ANALYST/ADMIN with all stores (audited); the model is readable by
 * ANALYST/ADMIN/MARKETER; a member's value also by AGENT and STORE_MANAGER for members in their
 * stores.
 */
@Service
public class ValueModel {

    static final ZoneId ZONE = ZoneId.of("Asia/Shanghai");
    /** Below this many members with a repeat purchase day the fit is refused (issue 8). */
    public static final int MIN_REPEAT_BUYERS = 100;
    /** Default calibration window: the last 52 weeks up to today. */
    public static final int DEFAULT_WINDOW_DAYS = 52 * 7;
    /** Annual discount rate of the CLV (cash flows discounted monthly at (1+d)^(1/12)-1). */
    public static final double ANNUAL_DISCOUNT_RATE = 0.10;
    /** CLV horizon in months. */
    public static final int CLV_MONTHS = 36;

    static final double WEEKS_PER_MONTH = 365.25 / 12 / 7;
    static final Role[] FITTERS = {Role.ANALYST, Role.ADMIN};
    static final Role[] MODEL_READERS = {Role.ANALYST, Role.ADMIN, Role.MARKETER};
    static final Role[] VALUE_READERS = {Role.ANALYST, Role.ADMIN, Role.MARKETER, Role.AGENT, Role.STORE_MANAGER};

    private static final Logger log = LoggerFactory.getLogger(ValueModel.class);
    private static final int CELLS_PER_INSERT = 20_000;

    /** Purchase days of active members in a window ({@code :start}..{@code :end}) with their net SALE spend. */
    private static final String PURCHASE_DAYS = """
            select s.member_id, s.business_date as d, sum(s.total_fen) as fen
            from sales.v_sale s
            join members.v_member m on m.id = s.member_id and m.status = 'ACTIVE' and not m.no_personalisation
            where s.kind = 'SALE' and s.member_id is not null and s.business_date between :start and :end
            group by s.member_id, s.business_date""";

    /** Per-member x, t_x, T (days, T up to {@code :end}), first/last day, repeat spend from purchase days {@code %s}. */
    private static final String STATS_OF_DAYS = """
            select member_id, (count(*) - 1)::int as x, (max(d) - min(d))::int as tx_days,
                   (:end::date - min(d))::int as t_days, min(d) as first_day, max(d) as last_day,
                   (sum(fen) - (array_agg(fen order by d))[1])::bigint as repeat_fen
            from %s group by member_id""";

    /** Per-member statistics over a window; {@code :start}, {@code :end} bound the purchase days. */
    private static final String MEMBER_STATS =
            "with days as (" + PURCHASE_DAYS + ") " + STATS_OF_DAYS.formatted("days");

    private final JdbcClient jdbc;
    private final TransactionTemplate tx;
    private final AuditLog audit;
    private final MemberManagement members;
    private final MessageSource messages;
    private final ApplicationEventPublisher events;
    private final JsonMapper json = JsonMapper.builder().build();

    ValueModel(
            JdbcClient jdbc,
            PlatformTransactionManager transactions,
            AuditLog audit,
            MemberManagement members,
            MessageSource messages,
            ApplicationEventPublisher events) {
        this.jdbc = jdbc;
        this.events = events;
        this.tx = new TransactionTemplate(transactions);
        this.audit = audit;
        this.members = members;
        this.messages = messages;
    }

    /** The calibration window of a fit; nulls take the defaults (the last 52 weeks up to today). */
    public record FitCommand(LocalDate calibrationStart, LocalDate calibrationEnd) {}

    static LocalDate today() {
        return LocalDate.now(ZONE);
    }

    public static boolean mayFit() {
        return CurrentStaff.get().hasAnyRole(FITTERS) && CurrentStaff.scope().allStores();
    }

    public static boolean mayReadModel() {
        return CurrentStaff.get().hasAnyRole(MODEL_READERS);
    }

    /** For the navigation: whether the caller may open the value model page. */
    public boolean mayRead() {
        return mayReadModel();
    }

    // ------------------------------------------------------------------ fitting

    /**
     * Fits the model on the window and, when it succeeds, makes it current and rescores every member
     * (one transaction). Refused with 422 and stored as a FAILED attempt (the current model stays)
     * when fewer than {@link #MIN_REPEAT_BUYERS} members bought on two days or more, or when the
     * optimiser does not converge to finite parameters.
     */
    public ValueModelFit fit(FitCommand command) {
        CurrentStaff.requireAnyRole(FITTERS);
        CurrentStaff.requireAllStores();
        LocalDate today = today();
        FitCommand cmd = command == null ? new FitCommand(null, null) : command;
        LocalDate end = cmd.calibrationEnd() != null ? cmd.calibrationEnd() : today;
        LocalDate start =
                cmd.calibrationStart() != null ? cmd.calibrationStart() : end.minusDays(DEFAULT_WINDOW_DAYS - 1);
        List<PatronException.FieldError> errors = new ArrayList<>();
        if (end.isAfter(today)) {
            errors.add(new PatronException.FieldError("calibrationEnd", "value.error.endInFuture", today));
        }
        if (!start.isBefore(end.minusDays(27))) {
            errors.add(new PatronException.FieldError("calibrationStart", "value.error.windowTooShort", 4));
        } else if (start.isBefore(end.minusYears(10))) {
            errors.add(new PatronException.FieldError("calibrationStart", "value.error.windowTooLong", 10));
        }
        if (!errors.isEmpty()) {
            throw new PatronException(
                    HttpStatus.BAD_REQUEST,
                    errors,
                    errors.get(0).messageKey(),
                    errors.get(0).args());
        }
        return fitWindow(start, end, CurrentStaff.get());
    }

    /** The weekly job: the default window, as the system; a refusal is logged and the current model stays. */
    Optional<ValueModelFit> scheduledFit() {
        LocalDate end = today();
        try {
            return Optional.of(fitWindow(end.minusDays(DEFAULT_WINDOW_DAYS - 1), end, StaffPrincipal.SYSTEM));
        } catch (PatronException e) {
            log.warn("Weekly value-model fit refused ({}); rescoring with the current model", e.messageKey());
            tx.executeWithoutResult(s -> {
                lockModel();
                currentParams().ifPresent(c -> score(c, end));
            });
            return Optional.empty();
        }
    }

    private ValueModelFit fitWindow(LocalDate start, LocalDate end, StaffPrincipal actor) {
        Statistics stats = tx.execute(s -> statistics(start, end));
        if (stats.repeatBuyers() < MIN_REPEAT_BUYERS) {
            throw failed(
                    start, end, stats, actor, "value.error.tooLittleHistory", stats.repeatBuyers(), MIN_REPEAT_BUYERS);
        }
        var bg = LogSpaceMaximizer.maximize(
                q -> BgNbd.logLikelihood(new BgNbd.Params(q[0], q[1], q[2], q[3]), stats.groups()),
                new double[] {1, 1, 1, 1});
        var bgParams = new BgNbd.Params(bg.params()[0], bg.params()[1], bg.params()[2], bg.params()[3]);
        var gg = LogSpaceMaximizer.maximize(
                q -> GammaGamma.logLikelihood(new GammaGamma.Params(q[0], q[1], q[2]), stats.buyers()),
                new double[] {1, 1, 1});
        var ggParams = new GammaGamma.Params(gg.params()[0], gg.params()[1], gg.params()[2]);
        if (!bg.converged()
                || !gg.converged()
                || !bgParams.finite()
                || !ggParams.finite()
                || !Double.isFinite(bg.logLikelihood())
                || Math.abs(bgParams.a() - 1) < 1e-9
                || ggParams.q() <= 1) {
            throw failed(start, end, stats, actor, "value.error.notConverged", bg.evaluations() + gg.evaluations());
        }
        Fitted fitted = new Fitted(bgParams, bg.logLikelihood(), ggParams, gg.logLikelihood(), start, end);
        ValueModelFit.Chart chart;
        Long id;
        try {
            chart = tx.execute(s -> chart(fitted));
            id = persistAndScore(fitted, chart, bgParams, bg, ggParams, gg, stats, start, end, actor);
        } catch (ArithmeticException e) {
            // parameters the formulas cannot evaluate (e.g. a degenerate fit): reported like a
            // fit that did not converge; nothing of it was kept and the previous model stays
            throw failed(start, end, stats, actor, "value.error.notConverged", bg.evaluations() + gg.evaluations());
        }
        return fitById(id).orElseThrow();
    }

    private Long persistAndScore(
            Fitted fitted,
            ValueModelFit.Chart chart,
            BgNbd.Params bgParams,
            LogSpaceMaximizer.Result bg,
            GammaGamma.Params ggParams,
            LogSpaceMaximizer.Result gg,
            Statistics stats,
            LocalDate start,
            LocalDate end,
            StaffPrincipal actor) {
        return tx.execute(s -> {
            lockModel();
            jdbc.sql("update insights.value_fit set current = false where current")
                    .update();
            long fitId = jdbc.sql("""
                    insert into insights.value_fit (status, calibration_start, calibration_end, r, alpha, a, b,
                        log_likelihood, p, q, gamma, spend_log_likelihood, members, repeat_buyers, cells, evaluations,
                        chart, fitted_by, current)
                    values ('OK', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, cast(? as jsonb), ?, true) returning id""")
                    .params(
                            start,
                            end,
                            bgParams.r(),
                            bgParams.alpha(),
                            bgParams.a(),
                            bgParams.b(),
                            bg.logLikelihood(),
                            ggParams.p(),
                            ggParams.q(),
                            ggParams.gamma(),
                            gg.logLikelihood(),
                            stats.members(),
                            stats.repeatBuyers(),
                            stats.groups().size(),
                            bg.evaluations() + gg.evaluations(),
                            json.writeValueAsString(chart),
                            actor.auditName())
                    .query(Long.class)
                    .single();
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("calibrationStart", start.toString());
            details.put("calibrationEnd", end.toString());
            details.put("logLikelihood", bg.logLikelihood());
            details.put("repeatBuyers", stats.repeatBuyers());
            audit.recordAs(actor, "insights.valueModel.fitted", "value_fit", fitId, details);
            score(new Current(fitId, start, fitted.bg(), fitted.gg()), today());
            return fitId;
        });
    }

    private PatronException failed(
            LocalDate start, LocalDate end, Statistics stats, StaffPrincipal actor, String key, Object... args) {
        tx.executeWithoutResult(s -> {
            long id = jdbc.sql("""
                    insert into insights.value_fit (status, failure_key, failure_args, calibration_start,
                        calibration_end, members, repeat_buyers, cells, fitted_by)
                    values ('FAILED', ?, ?, ?, ?, ?, ?, ?, ?) returning id""")
                    .params(
                            key,
                            Arrays.stream(args).map(String::valueOf).toArray(String[]::new),
                            start,
                            end,
                            stats.members(),
                            stats.repeatBuyers(),
                            stats.groups().size(),
                            actor.auditName())
                    .query(Long.class)
                    .single();
            audit.recordAs(actor, "insights.valueModel.fitFailed", "value_fit", id, Map.of("reason", key));
        });
        return new PatronException(HttpStatus.UNPROCESSABLE_ENTITY, key, args);
    }

    /** Fits and rescorings change the current model and member_value one at a time (transaction-scoped lock). */
    private void lockModel() {
        jdbc.sql("select pg_advisory_xact_lock(hashtext('insights.value_model'))")
                .query((rs, i) -> 1)
                .single();
    }

    record Statistics(long members, long repeatBuyers, List<BgNbd.Group> groups, List<GammaGamma.Buyer> buyers) {}

    private record Fitted(
            BgNbd.Params bg, double ll, GammaGamma.Params gg, double spendLl, LocalDate start, LocalDate end) {}

    /** The fit's input: members grouped by (x, t_x, T) and repeat buyers by (x, repeat spend). */
    Statistics statistics(LocalDate start, LocalDate end) {
        jdbc.sql("create temp table value_fit_stats on commit drop as " + MEMBER_STATS)
                .param("start", start)
                .param("end", end)
                .update();
        List<BgNbd.Group> groups = jdbc.sql("""
                select x, tx_days, t_days, count(*) as n from value_fit_stats group by x, tx_days, t_days""")
                .query((rs, i) -> new BgNbd.Group(
                        rs.getInt("x"), rs.getInt("tx_days") / 7.0, rs.getInt("t_days") / 7.0, rs.getLong("n")))
                .list();
        // Gamma-Gamma needs a positive average: repeat days that net to nothing are left out
        List<GammaGamma.Buyer> buyers = jdbc.sql("""
                select x, repeat_fen, count(*) as n from value_fit_stats where x > 0 and repeat_fen > 0
                group by x, repeat_fen""")
                .query((rs, i) -> new GammaGamma.Buyer(
                        rs.getInt("x"), rs.getLong("repeat_fen") / 100.0 / rs.getInt("x"), rs.getLong("n")))
                .list();
        long total = groups.stream().mapToLong(BgNbd.Group::members).sum();
        long repeat = groups.stream()
                .filter(g -> g.x() > 0)
                .mapToLong(BgNbd.Group::members)
                .sum();
        jdbc.sql("drop table value_fit_stats").update();
        return new Statistics(total, repeat, groups, buyers);
    }

    /**
     * Weekly cumulative repeat purchase days of the members who first bought in the window: actual,
     * and predicted as the sum of E[X(t)] from each member's first purchase day (FHL 2005 fig. 2);
     * after the window, as many weeks of holdout as the data and the window length allow.
     */
    private ValueModelFit.Chart chart(Fitted f) {
        LocalDate today = today();
        long windowDays = ChronoUnit.DAYS.between(f.start(), f.end()) + 1;
        LocalDate holdoutEnd = f.end().plusDays(Math.min(windowDays, DEFAULT_WINDOW_DAYS));
        if (holdoutEnd.isAfter(today)) {
            holdoutEnd = today.isAfter(f.end()) ? today : f.end();
        }
        long totalDays = ChronoUnit.DAYS.between(f.start(), holdoutEnd) + 1;
        int weeks = (int) ((totalDays + 6) / 7);
        int calibrationWeeks = (int) ((windowDays + 6) / 7);
        long[] perWeek = new long[weeks];
        Map<Integer, Long> births = new LinkedHashMap<>();
        jdbc.sql("""
                with days as (
                    select s.member_id, s.business_date as d
                    from sales.v_sale s
                    join members.v_member m on m.id = s.member_id and m.status = 'ACTIVE' and not m.no_personalisation
                    where s.kind = 'SALE' and s.member_id is not null and s.business_date between :start and :until
                    group by s.member_id, s.business_date),
                ranked as (select member_id, d, min(d) over (partition by member_id) as first_day from days)
                select ((d - :start::date) / 7)::int as week, (first_day - :start::date)::int as birth,
                       count(*) filter (where d > first_day) as repeats, count(*) filter (where d = first_day) as births
                from ranked where first_day <= :end
                group by 1, 2""")
                .param("start", f.start())
                .param("until", holdoutEnd)
                .param("end", f.end())
                .query(rs -> {
                    int week = rs.getInt("week");
                    if (week < weeks) {
                        perWeek[week] += rs.getLong("repeats");
                    }
                    long b = rs.getLong("births");
                    if (b > 0) {
                        births.merge(rs.getInt("birth"), b, Long::sum);
                    }
                });
        List<Integer> weekNumbers = new ArrayList<>();
        List<Long> actual = new ArrayList<>();
        List<Double> predicted = new ArrayList<>();
        long cumulative = 0;
        for (int w = 0; w < weeks; w++) {
            cumulative += perWeek[w];
            long endOfWeek = Math.min((long) w * 7 + 6, totalDays - 1);
            double expected = 0;
            for (var birth : births.entrySet()) {
                double t = (endOfWeek - birth.getKey()) / 7.0;
                expected += birth.getValue() * BgNbd.expectedRepeatPurchases(f.bg(), t);
            }
            weekNumbers.add(w + 1);
            actual.add(cumulative);
            predicted.add(Math.round(expected * 10) / 10.0);
        }
        return new ValueModelFit.Chart(calibrationWeeks, weekNumbers, actual, predicted);
    }

    // ------------------------------------------------------------------ scoring

    record Current(long fitId, LocalDate calibrationStart, BgNbd.Params bg, GammaGamma.Params gg) {}

    Optional<Current> currentParams() {
        return jdbc.sql("""
                select id, calibration_start, r, alpha, a, b, p, q, gamma from insights.value_fit where current""")
                .query((rs, i) -> new Current(
                        rs.getLong("id"),
                        rs.getObject("calibration_start", LocalDate.class),
                        new BgNbd.Params(
                                rs.getDouble("r"), rs.getDouble("alpha"), rs.getDouble("a"), rs.getDouble("b")),
                        new GammaGamma.Params(rs.getDouble("p"), rs.getDouble("q"), rs.getDouble("gamma"))))
                .optional();
    }

    /**
     * Rewrites {@code insights.member_value} for every member with a purchase day between the
     * model's calibration start and {@code asOf}, set-based: the statistics go into a temporary
     * table, the model's per-(x, t_x, T) results (computed here, once per distinct cell) into
     * another, and one INSERT … SELECT joins them, with spend and money computed in SQL and rounded
     * once to fen. Then this month's snapshot is updated. Runs in the caller's transaction.
     */
    int score(Current c, LocalDate asOf) {
        LocalDate monthAgo = asOf.minusMonths(1);
        // one pass over the sales: the purchase days, then the statistics now and as they were a
        // month ago (no row for members who first bought since)
        jdbc.sql("create temp table value_days on commit drop as " + PURCHASE_DAYS)
                .param("start", c.calibrationStart())
                .param("end", asOf)
                .update();
        jdbc.sql("create temp table value_score_stats on commit drop as " + STATS_OF_DAYS.formatted("value_days"))
                .param("end", asOf)
                .update();
        jdbc.sql("create temp table value_month_stats on commit drop as "
                        + STATS_OF_DAYS.formatted("(select * from value_days where d <= :end) v"))
                .param("end", monthAgo)
                .update();
        jdbc.sql("analyze value_score_stats").update();
        jdbc.sql("analyze value_month_stats").update();
        jdbc.sql("create temp table value_cells (x int, tx_days int, t_days int, p_alive double precision,"
                        + " e12 double precision, discounted double precision) on commit drop")
                .update();
        List<int[]> cells = jdbc.sql("""
                select distinct x, tx_days, t_days from value_score_stats
                union select distinct x, tx_days, t_days from value_month_stats""")
                .query((rs, i) -> new int[] {rs.getInt(1), rs.getInt(2), rs.getInt(3)})
                .list();
        double monthlyDiscount = Math.pow(1 + ANNUAL_DISCOUNT_RATE, 1.0 / 12) - 1;
        for (int from = 0; from < cells.size(); from += CELLS_PER_INSERT) {
            List<int[]> chunk = cells.subList(from, Math.min(cells.size(), from + CELLS_PER_INSERT));
            int n = chunk.size();
            Integer[] xs = new Integer[n], txs = new Integer[n], ts = new Integer[n];
            Double[] alive = new Double[n], e12 = new Double[n], disc = new Double[n];
            for (int i = 0; i < n; i++) {
                int[] cell = chunk.get(i);
                xs[i] = cell[0];
                txs[i] = cell[1];
                ts[i] = cell[2];
                double tx = cell[1] / 7.0, t = cell[2] / 7.0;
                alive[i] = BgNbd.pAlive(c.bg(), cell[0], tx, t);
                e12[i] = BgNbd.expectedPurchases(c.bg(), cell[0], tx, t, 52);
                double sum = 0, previous = 0;
                for (int m = 1; m <= CLV_MONTHS; m++) {
                    double cumulative = BgNbd.expectedPurchases(c.bg(), cell[0], tx, t, m * WEEKS_PER_MONTH);
                    sum += (cumulative - previous) / Math.pow(1 + monthlyDiscount, m);
                    previous = cumulative;
                }
                disc[i] = sum;
            }
            jdbc.sql("insert into value_cells select * from unnest(?::int[], ?::int[], ?::int[], ?::float8[],"
                            + " ?::float8[], ?::float8[])")
                    .params(xs, txs, ts, alive, e12, disc)
                    .update();
        }
        jdbc.sql("delete from insights.member_value").update();
        int scored = jdbc.sql("""
                insert into insights.member_value (member_id, fit_id, as_of, x, tx_days, t_days, last_purchase_on,
                    repeat_avg_fen, p_alive, p_alive_month_ago, expected_purchases_12m, expected_spend_fen,
                    value_12m_fen, clv_fen, clv_month_ago_fen)
                select s.member_id, :fit, :asOf, s.x, s.tx_days, s.t_days, s.last_day,
                       case when s.x > 0 then round(s.repeat_fen::numeric / s.x)::bigint end,
                       c.p_alive, mc.p_alive, c.e12,
                       round(sp.fen::numeric)::bigint,
                       round((c.e12 * sp.fen)::numeric)::bigint,
                       round((c.discounted * sp.fen)::numeric)::bigint,
                       round((mc.discounted * spm.fen)::numeric)::bigint
                from value_score_stats s
                join value_cells c on c.x = s.x and c.tx_days = s.tx_days and c.t_days = s.t_days
                left join value_month_stats m on m.member_id = s.member_id
                left join value_cells mc on mc.x = m.x and mc.tx_days = m.tx_days and mc.t_days = m.t_days
                cross join lateral (select case
                    when s.x > 0 and s.repeat_fen > 0
                        then (:gamma * 100 + s.repeat_fen) * :p / (:p * s.x + :q - 1)
                    else :p * :gamma * 100 / (:q - 1) end as fen) sp
                cross join lateral (select case
                    when m.x > 0 and m.repeat_fen > 0
                        then (:gamma * 100 + m.repeat_fen) * :p / (:p * m.x + :q - 1)
                    else :p * :gamma * 100 / (:q - 1) end as fen) spm""")
                .param("fit", c.fitId())
                .param("asOf", asOf)
                .param("gamma", c.gg().gamma())
                .param("p", c.gg().p())
                .param("q", c.gg().q())
                .update();
        jdbc.sql("""
                insert into insights.member_value_month (month, member_id, p_alive, clv_fen)
                select date_trunc('month', as_of)::date, member_id, p_alive, clv_fen from insights.member_value
                on conflict (month, member_id) do update set p_alive = excluded.p_alive, clv_fen = excluded.clv_fen""").update();
        jdbc.sql("drop table value_days, value_score_stats, value_month_stats, value_cells")
                .update();
        log.info("Value model {}: {} members scored as of {} ({} cells)", c.fitId(), scored, asOf, cells.size());
        events.publishEvent(new MemberValuesScored(c.fitId(), asOf, scored));
        return scored;
    }

    // ------------------------------------------------------------------ reading

    /** The model in use, or 404 when no fit has succeeded yet. */
    public ValueModelFit current() {
        CurrentStaff.requireAnyRole(MODEL_READERS);
        Long id = jdbc.sql("select id from insights.value_fit where current")
                .query(Long.class)
                .optional()
                .orElse(null);
        if (id == null) {
            throw PatronException.notFound("value.error.noModel");
        }
        return fitById(id).orElseThrow();
    }

    /** The model in use, if any (for pages that show an empty state instead of a 404). */
    public Optional<ValueModelFit> currentIfAny() {
        CurrentStaff.requireAnyRole(MODEL_READERS);
        return jdbc.sql("select id from insights.value_fit where current")
                .query(Long.class)
                .optional()
                .flatMap(this::fitById);
    }

    /** Every fit attempt, newest first (without charts). */
    public PageResult<ValueModelFit> history(PageQuery page) {
        CurrentStaff.requireAnyRole(MODEL_READERS);
        long total = jdbc.sql("select count(*) from insights.value_fit")
                .query(Long.class)
                .single();
        List<ValueModelFit> items = jdbc.sql(
                        "select * from insights.value_fit order by fitted_at desc, id desc limit ? offset ?")
                .params(page.size(), page.offset())
                .query((rs, i) -> fit(rs, false))
                .list();
        return new PageResult<>(items, page.page(), page.size(), total);
    }

    Optional<ValueModelFit> fitById(long id) {
        return jdbc.sql("select * from insights.value_fit where id = ?")
                .param(id)
                .query((rs, i) -> fit(rs, true))
                .optional();
    }

    private ValueModelFit fit(ResultSet rs, boolean withChart) throws SQLException {
        String failure = null;
        String key = rs.getString("failure_key");
        if (key != null) {
            Array args = rs.getArray("failure_args");
            Object[] a = args == null ? new Object[0] : (Object[]) args.getArray();
            Locale locale = LocaleContextHolder.getLocale();
            failure = messages.getMessage(key, a, key, locale);
        }
        ValueModelFit.Chart chart = null;
        String chartJson = withChart ? rs.getString("chart") : null;
        if (chartJson != null) {
            chart = json.readValue(chartJson, ValueModelFit.Chart.class);
        }
        return new ValueModelFit(
                rs.getLong("id"),
                rs.getString("status"),
                failure,
                rs.getObject("calibration_start", LocalDate.class),
                rs.getObject("calibration_end", LocalDate.class),
                (Double) rs.getObject("r"),
                (Double) rs.getObject("alpha"),
                (Double) rs.getObject("a"),
                (Double) rs.getObject("b"),
                (Double) rs.getObject("log_likelihood"),
                (Double) rs.getObject("p"),
                (Double) rs.getObject("q"),
                (Double) rs.getObject("gamma"),
                (Double) rs.getObject("spend_log_likelihood"),
                rs.getLong("members"),
                rs.getLong("repeat_buyers"),
                rs.getLong("cells"),
                rs.getInt("evaluations"),
                rs.getString("fitted_by"),
                rs.getTimestamp("fitted_at").toInstant(),
                rs.getBoolean("current"),
                chart);
    }

    /**
     * A member's value by the current model: 404 for an unknown member or without a model, 403
     * outside the caller's stores; {@code horizonWeeks} 1-520 (default 52).
     */
    public MemberValue memberValue(long memberId, Integer horizonWeeks) {
        CurrentStaff.requireAnyRole(VALUE_READERS);
        int horizon = horizonWeeks == null ? 52 : horizonWeeks;
        if (horizon < 1 || horizon > 520) {
            throw PatronException.invalid("horizonWeeks", "value.error.horizon", 1, 520);
        }
        members.requireVisible(memberId);
        InsightsPrivacy.requirePersonalisation(members, memberId);
        return tx.execute(s -> valueOrThrow(memberId, horizon));
    }

    /** The same without the role check, for the 360-view panel (which checks itself). */
    Optional<MemberValue> valueOf(long memberId, int horizon) {
        Optional<Current> current = currentParams();
        if (current.isEmpty()) {
            return Optional.empty();
        }
        Current c = current.get();
        LocalDate today = today();
        MemberValue value = jdbc.sql("select * from insights.member_value where member_id = ?")
                .param(memberId)
                .query((rs, i) -> {
                    int x = rs.getInt("x");
                    double tx = rs.getInt("tx_days") / 7.0, t = rs.getInt("t_days") / 7.0;
                    LocalDate last = rs.getObject("last_purchase_on", LocalDate.class);
                    return new MemberValue(
                            memberId,
                            true,
                            rs.getLong("fit_id"),
                            rs.getObject("as_of", LocalDate.class),
                            horizon,
                            rs.getDouble("p_alive"),
                            BgNbd.expectedPurchases(c.bg(), x, tx, t, horizon),
                            rs.getLong("expected_spend_fen"),
                            rs.getDouble("expected_purchases_12m"),
                            rs.getLong("value_12m_fen"),
                            rs.getLong("clv_fen"),
                            x + 1,
                            last,
                            (int) ChronoUnit.DAYS.between(last, today),
                            x == 0 ? null : Math.round(rs.getInt("tx_days") * 10.0 / x) / 10.0);
                })
                .optional()
                .orElse(new MemberValue(
                        memberId, false, c.fitId(), today, horizon, null, null, null, null, null, null, 0, null, null,
                        null));
        return Optional.of(value);
    }

    MemberValue valueOrThrow(long memberId, int horizon) {
        return valueOf(memberId, horizon).orElseThrow(() -> PatronException.notFound("value.error.noModel"));
    }

    /** Rescores every member with the current model as of today (on demand; the weekly job refits). */
    public int rescore() {
        CurrentStaff.requireAnyRole(FITTERS);
        CurrentStaff.requireAllStores();
        return tx.execute(s -> {
            lockModel();
            Current c = currentParams().orElseThrow(() -> PatronException.notFound("value.error.noModel"));
            int n = score(c, today());
            audit.record("insights.valueModel.rescored", "value_fit", c.fitId(), Map.of("members", n));
            return n;
        });
    }
}
