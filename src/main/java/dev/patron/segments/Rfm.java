package dev.patron.segments;

import dev.patron.audit.AuditLog;
import dev.patron.sales.RecordedSale;
import dev.patron.sales.SaleKind;
import dev.patron.shared.security.CurrentStaff;
import dev.patron.shared.security.Role;
import dev.patron.shared.web.PatronException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import javax.sql.DataSource;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.http.HttpStatus;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

/**
 * RFM (seed 001; docs/segments.md): the R×F lifecycle grid with the chain's thresholds and the 16
 * cells' names, strategies and contact frequencies; classic quintile scores 1-5 for R, F and M where
 * equal values share a score ({@code 1 + ⌊5·(rank−1)/(n−1)⌋}, capped at 5, rank with ties at the
 * lowest); the migration matrix since the previous month; the value pyramid; the CSV export as of
 * any day computed from sales; and the full refresh of facts and RFM (daily job and on demand).
 *
 * <p>Roles: reading (grid, pyramid, migration, settings, export) — MARKETER, ANALYST, ADMIN with all
 * stores (the export of one store: those roles with that store); changing settings and cells —
 * MARKETER or ADMIN with all stores, audited; the on-demand refresh — ADMIN with all stores. Store
 * managers do not see RFM: cells are chain-wide.
 */
@Service
public class Rfm {

    static final int MAX_PYRAMID_LAYERS = 9;
    private static final String CELL_INDEX =
            "(4 * (array_position(array['ACTIVE','SILENT','SLEEPING','LOST'], %1$s.r_band) - 1)"
                    + " + array_position(array['NEW','SECOND','OLD','FAN'], %1$s.f_band) - 1)";

    private final JdbcClient jdbc;
    private final JdbcTemplate streaming;
    private final MemberFacts facts;
    private final AuditLog audit;
    private final ApplicationEventPublisher events;

    private final String refreshWorkMem;

    /** Named tickets per member range of a full rebuild ({@code patron.segments.rebuild-range-tickets}). */
    private final long rebuildRangeTickets;

    Rfm(
            JdbcClient jdbc,
            DataSource dataSource,
            MemberFacts facts,
            AuditLog audit,
            ApplicationEventPublisher events,
            @org.springframework.beans.factory.annotation.Value("${patron.segments.refresh-work-mem:256MB}")
                    String refreshWorkMem,
            @org.springframework.beans.factory.annotation.Value("${patron.segments.rebuild-range-tickets:5000000}")
                    long rebuildRangeTickets) {
        this.refreshWorkMem = workMem(refreshWorkMem);
        if (rebuildRangeTickets < 1) {
            throw new IllegalArgumentException(
                    "patron.segments.rebuild-range-tickets must be at least 1, not " + rebuildRangeTickets);
        }
        this.rebuildRangeTickets = rebuildRangeTickets;
        this.jdbc = jdbc;
        this.streaming = new JdbcTemplate(dataSource);
        this.streaming.setFetchSize(5_000);
        this.facts = facts;
        this.audit = audit;
        this.events = events;
    }

    /** {@code patron.segments.refresh-work-mem}, checked: the whole-table statements' work memory. */
    static String workMem(String value) {
        if (!value.matches("\\d{1,7}(kB|MB|GB)")) {
            throw new IllegalArgumentException(
                    "patron.segments.refresh-work-mem must look like 256MB (kB, MB or GB), not " + value);
        }
        return value;
    }

    /** Whether the caller may see the RFM pages (for the navigation). */
    public boolean mayRead() {
        return CurrentStaff.get().hasAnyRole(Role.MARKETER, Role.ANALYST, Role.ADMIN)
                && CurrentStaff.scope().allStores();
    }

    /** Whether the caller may edit settings and cells. */
    public boolean mayEdit() {
        return CurrentStaff.get().hasAnyRole(Role.MARKETER, Role.ADMIN)
                && CurrentStaff.scope().allStores();
    }

    private static void requireReader() {
        CurrentStaff.requireAnyRole(Role.MARKETER, Role.ANALYST, Role.ADMIN);
        CurrentStaff.requireAllStores();
    }

    private static void requireEditor() {
        CurrentStaff.requireAnyRole(Role.MARKETER, Role.ADMIN);
        CurrentStaff.requireAllStores();
    }

    // ------------------------------------------------------------------ settings and cells

    @Transactional(readOnly = true)
    public RfmSettings settings() {
        requireReader();
        return currentSettings();
    }

    RfmSettings currentSettings() {
        return jdbc.sql("""
                select r_active_days, r_silent_days, r_sleeping_days, f_second_min, f_old_min, f_fan_min, window_months,
                       pyramid_percents from segments.rfm_settings where id = 1""")
                .query((rs, n) -> new RfmSettings(
                        rs.getInt(1),
                        rs.getInt(2),
                        rs.getInt(3),
                        rs.getInt(4),
                        rs.getInt(5),
                        rs.getInt(6),
                        rs.getInt(7),
                        percents(rs.getArray(8))))
                .single();
    }

    private static List<BigDecimal> percents(Array a) throws SQLException {
        return Arrays.stream((BigDecimal[]) a.getArray()).map(Rfm::plain).toList();
    }

    private static BigDecimal plain(BigDecimal d) {
        BigDecimal s = d.stripTrailingZeros();
        return s.scale() < 0 ? s.setScale(0) : s;
    }

    /**
     * Replaces the settings (MARKETER or ADMIN with all stores; audited) and re-bands every member at
     * once; a new window recomputes frequency and monetary too (the whole RFM, as of the last
     * refresh). 400 naming the field when invalid.
     */
    @Transactional
    public RfmSettings updateSettings(RfmSettings s) {
        requireEditor();
        List<PatronException.FieldError> errors = validate(s);
        if (!errors.isEmpty()) {
            throw new PatronException(HttpStatus.BAD_REQUEST, errors, "error.validation");
        }
        // the tables first, then the settings row, as the refresh takes them (it writes facts_as_of
        // after locking the tables): the other order deadlocks with a refresh under way
        holdRowWriters();
        jdbc.sql("select id from segments.rfm_settings where id = 1 for update")
                .query(Long.class)
                .single();
        RfmSettings before = currentSettings();
        jdbc.sql("""
                update segments.rfm_settings set r_active_days = ?, r_silent_days = ?, r_sleeping_days = ?,
                    f_second_min = ?, f_old_min = ?, f_fan_min = ?, window_months = ?, pyramid_percents = ?::text[]::numeric[],
                    updated_at = now(), updated_by = ? where id = 1""")
                .params(
                        s.activeDays(),
                        s.silentDays(),
                        s.sleepingDays(),
                        s.secondMin(),
                        s.oldMin(),
                        s.fanMin(),
                        s.windowMonths(),
                        s.pyramidPercents().stream()
                                .map(BigDecimal::toPlainString)
                                .toArray(String[]::new),
                        CurrentStaff.get().auditName())
                .update();
        RfmSettings after = currentSettings();
        if (!before.windowMonths().equals(after.windowMonths())) {
            LocalDate asOf = lastFullAsOf();
            if (asOf != null) {
                scoreAll(asOf, after);
            }
        } else {
            // recency as of each row's day (greatest(as_of, last_full_as_of), see member_rfm)
            jdbc.sql("""
                    update segments.member_rfm r set
                        r_band = case when x.recency_days <= ? then 'ACTIVE' when x.recency_days <= ? then 'SILENT'
                                      when x.recency_days <= ? then 'SLEEPING' else 'LOST' end,
                        f_band = case when r.frequency >= ? then 'FAN' when r.frequency >= ? then 'OLD'
                                      when r.frequency >= ? then 'SECOND' else 'NEW' end
                    from (select greatest(r2.as_of, s.last_full_as_of) - r2.last_purchase_date as recency_days,
                                 r2.member_id
                          from segments.member_rfm r2 left join segments.rfm_settings s on s.id = 1) x
                    where x.member_id = r.member_id""")
                    .params(
                            after.activeDays(),
                            after.silentDays(),
                            after.sleepingDays(),
                            after.fanMin(),
                            after.oldMin(),
                            after.secondMin())
                    .update();
        }
        audit.record(
                "rfm.settings.changed",
                "rfm_settings",
                1,
                Map.of("before", before.toString(), "after", after.toString()));
        return after;
    }

    static List<PatronException.FieldError> validate(RfmSettings s) {
        List<PatronException.FieldError> e = new ArrayList<>();
        if (s == null) {
            return List.of(new PatronException.FieldError("settings", "validation.required"));
        }
        positive(e, "activeDays", s.activeDays(), 3650);
        positive(e, "silentDays", s.silentDays(), 3650);
        positive(e, "sleepingDays", s.sleepingDays(), 3650);
        positive(e, "secondMin", s.secondMin(), 1000);
        positive(e, "oldMin", s.oldMin(), 1000);
        positive(e, "fanMin", s.fanMin(), 1000);
        positive(e, "windowMonths", s.windowMonths(), 120);
        if (e.isEmpty()) {
            if (s.silentDays() <= s.activeDays()) {
                e.add(new PatronException.FieldError("silentDays", "rfm.validation.above", s.activeDays()));
            }
            if (s.sleepingDays() <= s.silentDays()) {
                e.add(new PatronException.FieldError("sleepingDays", "rfm.validation.above", s.silentDays()));
            }
            if (s.secondMin() < 2) {
                e.add(new PatronException.FieldError("secondMin", "rfm.validation.atLeast", 2));
            }
            if (s.oldMin() <= s.secondMin()) {
                e.add(new PatronException.FieldError("oldMin", "rfm.validation.above", s.secondMin()));
            }
            if (s.fanMin() <= s.oldMin()) {
                e.add(new PatronException.FieldError("fanMin", "rfm.validation.above", s.oldMin()));
            }
        }
        List<BigDecimal> p = s.pyramidPercents();
        if (p == null || p.isEmpty()) {
            e.add(new PatronException.FieldError("pyramidPercents", "validation.required"));
        } else if (p.size() > MAX_PYRAMID_LAYERS) {
            e.add(new PatronException.FieldError("pyramidPercents", "rfm.validation.layers", MAX_PYRAMID_LAYERS));
        } else {
            BigDecimal sum = BigDecimal.ZERO;
            for (int i = 0; i < p.size(); i++) {
                BigDecimal v = p.get(i);
                if (v == null
                        || v.signum() <= 0
                        || v.scale() > 2 && v.stripTrailingZeros().scale() > 2) {
                    e.add(new PatronException.FieldError("pyramidPercents[" + i + "]", "rfm.validation.percent"));
                } else {
                    sum = sum.add(v);
                }
            }
            if (sum.compareTo(BigDecimal.valueOf(100)) >= 0) {
                e.add(new PatronException.FieldError("pyramidPercents", "rfm.validation.percentSum"));
            }
        }
        return e;
    }

    private static void positive(List<PatronException.FieldError> e, String field, Integer v, int max) {
        if (v == null) {
            e.add(new PatronException.FieldError(field, "validation.required"));
        } else if (v < 1 || v > max) {
            e.add(new PatronException.FieldError(field, "rfm.validation.range", 1, max));
        }
    }

    @Transactional(readOnly = true)
    public List<RfmCell> cells() {
        requireReader();
        return allCells();
    }

    List<RfmCell> allCells() {
        Map<String, RfmCell> byKey = new HashMap<>();
        jdbc.sql("""
                select r_band, f_band, name_zh, name_en, strategy_zh, strategy_en, contact_every_days
                from segments.rfm_cell""").query(Rfm::cell).list().forEach(c -> byKey.put(c.rBand() + "/" + c.fBand(), c));
        List<RfmCell> out = new ArrayList<>();
        for (String r : RfmCell.R_BANDS) {
            for (String f : RfmCell.F_BANDS) {
                out.add(byKey.get(r + "/" + f));
            }
        }
        return out;
    }

    private static RfmCell cell(ResultSet rs, int n) throws SQLException {
        return new RfmCell(
                rs.getString(1),
                rs.getString(2),
                rs.getString(3),
                rs.getString(4),
                rs.getString(5),
                rs.getString(6),
                (Integer) rs.getObject(7));
    }

    /** One cell as marketers edit it (MARKETER or ADMIN with all stores; audited); 400 naming the field. */
    @Transactional
    public RfmCell updateCell(String rBand, String fBand, RfmCell c) {
        requireEditor();
        if (!RfmCell.R_BANDS.contains(rBand)) {
            throw PatronException.unknownReference("rBand", "rfm.unknownBand", rBand);
        }
        if (!RfmCell.F_BANDS.contains(fBand)) {
            throw PatronException.unknownReference("fBand", "rfm.unknownBand", fBand);
        }
        List<PatronException.FieldError> errors = new ArrayList<>();
        if (c == null) {
            throw PatronException.invalid("cell", "validation.required");
        }
        text(errors, "nameZh", c.nameZh(), 40, true);
        text(errors, "nameEn", c.nameEn(), 60, true);
        text(errors, "strategyZh", c.strategyZh(), 1000, false);
        text(errors, "strategyEn", c.strategyEn(), 2000, false);
        if (c.contactEveryDays() != null && (c.contactEveryDays() < 1 || c.contactEveryDays() > 365)) {
            errors.add(new PatronException.FieldError("contactEveryDays", "rfm.validation.range", 1, 365));
        }
        if (!errors.isEmpty()) {
            throw new PatronException(HttpStatus.BAD_REQUEST, errors, "error.validation");
        }
        RfmCell before = jdbc.sql("""
                select r_band, f_band, name_zh, name_en, strategy_zh, strategy_en, contact_every_days
                from segments.rfm_cell where r_band = ? and f_band = ? for update""").params(rBand, fBand).query(Rfm::cell).single();
        RfmCell after = new RfmCell(
                rBand,
                fBand,
                c.nameZh().strip(),
                c.nameEn().strip(),
                c.strategyZh() == null ? "" : c.strategyZh().strip(),
                c.strategyEn() == null ? "" : c.strategyEn().strip(),
                c.contactEveryDays());
        jdbc.sql("""
                update segments.rfm_cell set name_zh = ?, name_en = ?, strategy_zh = ?, strategy_en = ?,
                    contact_every_days = ?, updated_at = now(), updated_by = ? where r_band = ? and f_band = ?""")
                .params(
                        after.nameZh(),
                        after.nameEn(),
                        after.strategyZh(),
                        after.strategyEn(),
                        after.contactEveryDays(),
                        CurrentStaff.get().auditName(),
                        rBand,
                        fBand)
                .update();
        audit.record(
                "rfm.cell.changed",
                "rfm_cell",
                rBand + "/" + fBand,
                Map.of("before", before.toString(), "after", after.toString()));
        return after;
    }

    private static void text(List<PatronException.FieldError> e, String field, String v, int max, boolean required) {
        if (v == null || v.isBlank()) {
            if (required) {
                e.add(new PatronException.FieldError(field, "validation.required"));
            }
        } else if (v.strip().length() > max) {
            e.add(new PatronException.FieldError(field, "rfm.validation.length", max));
        }
    }

    // ------------------------------------------------------------------ grid, migration, pyramid

    LocalDate lastFullAsOf() {
        return jdbc.sql("select last_full_as_of from segments.rfm_settings where id = 1")
                .query(LocalDate.class)
                .optional()
                .orElse(null);
    }

    @Transactional(readOnly = true)
    public RfmGrid grid() {
        requireReader();
        Map<String, long[]> counts = new HashMap<>();
        jdbc.sql("""
                select r_band, f_band, count(*), coalesce(sum(monetary_fen), 0) from segments.member_rfm
                group by r_band, f_band""").query(rs -> {
            counts.put(rs.getString(1) + "/" + rs.getString(2), new long[] {rs.getLong(3), rs.getLong(4)});
        });
        long members = counts.values().stream().mapToLong(v -> v[0]).sum();
        long sales = counts.values().stream().mapToLong(v -> v[1]).sum();
        List<RfmGrid.Cell> cells = new ArrayList<>();
        for (RfmCell c : allCells()) {
            long[] v = counts.getOrDefault(c.rBand() + "/" + c.fBand(), new long[2]);
            cells.add(new RfmGrid.Cell(c, v[0], v[1], share(v[0], members), share(v[1], sales)));
        }
        return new RfmGrid(lastFullAsOf(), members, sales, cells);
    }

    static double share(long part, long whole) {
        return whole == 0
                ? 0
                : BigDecimal.valueOf(part)
                        .divide(BigDecimal.valueOf(whole), 4, RoundingMode.HALF_UP)
                        .doubleValue();
    }

    @Transactional(readOnly = true)
    public RfmMigration migration() {
        requireReader();
        LocalDate asOf = lastFullAsOf();
        if (asOf == null) {
            return new RfmMigration(null, null, List.of());
        }
        LocalDate from = jdbc.sql("select max(month) from segments.rfm_snapshot where month < ?")
                .param(YearMonth.from(asOf).atDay(1))
                .query(LocalDate.class)
                .optional()
                .orElse(null);
        if (from == null) {
            return new RfmMigration(null, asOf, List.of());
        }
        List<RfmMigration.Move> moves = jdbc.sql("""
                with f as (select member_id, cell from segments.rfm_snapshot where month = ?),
                     r as (select member_id, %s as cell from segments.member_rfm r)
                select f.cell, r.cell, count(*) from f full join r using (member_id)
                group by f.cell, r.cell order by 3 desc, 1, 2""".formatted(CELL_INDEX.formatted("r")))
                .param(from)
                .query((rs, n) -> new RfmMigration.Move(
                        cellName((Integer) rs.getObject(1)), cellName((Integer) rs.getObject(2)), rs.getLong(3)))
                .list();
        return new RfmMigration(from, asOf, moves);
    }

    static String cellName(Integer index) {
        return index == null ? null : RfmCell.R_BANDS.get(index / 4) + "/" + RfmCell.F_BANDS.get(index % 4);
    }

    @Transactional(readOnly = true)
    public ValuePyramid pyramid() {
        requireReader();
        List<BigDecimal> percents = currentSettings().pyramidPercents();
        BigDecimal[] bounds = new BigDecimal[percents.size()];
        BigDecimal cum = BigDecimal.ZERO;
        for (int i = 0; i < percents.size(); i++) {
            cum = cum.add(percents.get(i));
            bounds[i] = cum;
        }
        Map<Integer, long[]> layers = new LinkedHashMap<>();
        long[] totals = new long[3];
        // position p of n (1 = highest spend, ties by member id) is in the first layer i with p ≤ ceil(n·bound_i/100)
        jdbc.sql("""
                with ranked as (
                    select spend_12m_fen, row_number() over (order by spend_12m_fen desc, member_id) as p,
                           count(*) over () as n
                    from segments.member_fact where spend_12m_fen > 0
                ),
                layered as (
                    select spend_12m_fen,
                           coalesce((select min(i) from unnest(?::text[]::numeric[]) with ordinality b(bound, i)
                                     where ranked.p <= ceil(ranked.n * b.bound / 100)), ?) as layer
                    from ranked
                )
                select layer, count(*), sum(spend_12m_fen), min(spend_12m_fen) from layered group by layer order by layer""")
                .params(Arrays.stream(bounds).map(BigDecimal::toPlainString).toArray(String[]::new), bounds.length + 1)
                .query(rs -> {
                    layers.put(rs.getInt(1), new long[] {rs.getLong(2), rs.getLong(3), rs.getLong(4)});
                });
        long members = layers.values().stream().mapToLong(v -> v[0]).sum();
        long spend = layers.values().stream().mapToLong(v -> v[1]).sum();
        long inactive = jdbc.sql("select count(*) from segments.member_fact where spend_12m_fen <= 0")
                .query(Long.class)
                .single();
        LocalDate asOf = jdbc.sql("select max(as_of) from segments.member_fact")
                .query(LocalDate.class)
                .optional()
                .orElse(null);
        List<ValuePyramid.Layer> out = new ArrayList<>();
        BigDecimal from = BigDecimal.ZERO;
        for (int i = 1; i <= bounds.length + 1; i++) {
            BigDecimal to = i <= bounds.length ? bounds[i - 1] : BigDecimal.valueOf(100);
            long[] v = layers.getOrDefault(i, new long[3]);
            out.add(new ValuePyramid.Layer(i, plain(from), plain(to), v[0], v[1], share(v[1], spend), v[2]));
            from = to;
        }
        return new ValuePyramid(asOf, members, spend, inactive, out);
    }

    // ------------------------------------------------------------------ computing RFM

    /**
     * The RFM select over {@code source}: one row per member with a SALE ticket up to the as-of day,
     * with bands by the settings and scores either ranked over the whole source (full) or placed by
     * the breakpoints of the last full refresh (incremental). Parameters: the source's, then as-of,
     * window start, thresholds.
     */
    private static String scoredSql(TicketSource source, boolean incremental) {
        String scores = incremental
                ? """
                  (select case when count(*) = 0 then null
                          else coalesce(max(score) filter (where min_key <= %s), 1) end
                   from segments.rfm_break where dimension = '%s')::smallint"""
                : "least(5, 1 + 5 * (rank() over (order by %s) - 1) / greatest(count(*) over () - 1, 1))::smallint";
        String r = incremental ? scores.formatted("-banded.recency_days", "R") : scores.formatted("recency_days desc");
        String f = incremental ? scores.formatted("banded.frequency", "F") : scores.formatted("frequency");
        String m = incremental ? scores.formatted("banded.monetary_fen", "M") : scores.formatted("monetary_fen");
        return """
                with t as (%s),
                s as (select ?::date as as_of, ?::date as win_start, ?::int as r1, ?::int as r2, ?::int as r3,
                             ?::int as f2, ?::int as f3, ?::int as f6),
                base as (
                    select member_id,
                           (select as_of from s) - max(business_date) filter (where kind = 'SALE') as recency_days,
                           max(business_date) filter (where kind = 'SALE') as last_purchase_date,
                           count(distinct business_date) filter (where kind = 'SALE'
                               and business_date > (select win_start from s)) as frequency,
                           coalesce(sum(total_fen) filter (where business_date > (select win_start from s)), 0) as monetary_fen,
                           max(id) as max_sale_id
                    from t group by member_id
                    having count(*) filter (where kind = 'SALE') > 0
                ),
                banded as (
                    select b.member_id, b.recency_days, b.last_purchase_date, b.frequency::int as frequency,
                           b.monetary_fen::bigint as monetary_fen, b.max_sale_id,
                           case when b.recency_days <= s.r1 then 'ACTIVE' when b.recency_days <= s.r2 then 'SILENT'
                                when b.recency_days <= s.r3 then 'SLEEPING' else 'LOST' end as r_band,
                           case when b.frequency >= s.f6 then 'FAN' when b.frequency >= s.f3 then 'OLD'
                                when b.frequency >= s.f2 then 'SECOND' else 'NEW' end as f_band
                    from base b cross join s
                ),
                scored as (
                    select banded.*, %s as r_score, %s as f_score, %s as m_score from banded
                )
                """.formatted(source.sql(), r, f, m);
    }

    private static List<Object> scoredParams(TicketSource source, LocalDate asOf, int windowMonths, RfmSettings s) {
        List<Object> p = new ArrayList<>(source.params());
        p.addAll(List.of(
                asOf,
                asOf.minusMonths(windowMonths),
                s.activeDays(),
                s.silentDays(),
                s.sleepingDays(),
                s.secondMin(),
                s.oldMin(),
                s.fanMin()));
        return p;
    }

    /** Writes the RFM rows of the source's members (incremental) or of everybody (full); returns rows written. */
    private long write(TicketSource source, LocalDate asOf, RfmSettings s) {
        boolean incremental = source.targeted();
        List<Object> p = scoredParams(source, asOf, s.windowMonths(), s);
        String gone = "delete from segments.member_rfm r where " + source.owns("r.member_id")
                + " and not exists (select 1 from scored where scored.member_id = r.member_id)";
        p.addAll(source.scopeParams());
        p.add(asOf);
        return jdbc.sql(scoredSql(source, incremental) + """
                , gone as (%s)
                insert into segments.member_rfm as r (member_id, last_purchase_date, frequency, monetary_fen, r_band, f_band,
                    r_score, f_score, m_score, as_of, max_sale_id)
                select member_id, last_purchase_date, frequency, monetary_fen, r_band, f_band, r_score, f_score, m_score,
                       ?::date, max_sale_id
                from scored order by member_id
                on conflict (member_id) do update set last_purchase_date = excluded.last_purchase_date,
                    frequency = excluded.frequency, monetary_fen = excluded.monetary_fen, r_band = excluded.r_band,
                    f_band = excluded.f_band, r_score = excluded.r_score, f_score = excluded.f_score,
                    m_score = excluded.m_score, as_of = excluded.as_of, max_sale_id = excluded.max_sale_id""".formatted(gone))
                .params(p)
                .update();
    }

    /** Incremental: the RFM rows of the source's members (scores by the last full refresh's breakpoints). */
    @Transactional(propagation = Propagation.MANDATORY)
    long rescore(TicketSource source, LocalDate asOf) {
        return write(source, asOf, currentSettings());
    }

    /** Full: everybody's RFM row ranked afresh, the breakpoints and the as-of day; a month's snapshot first. */
    @Transactional(propagation = Propagation.MANDATORY)
    long scoreAll(LocalDate asOf, RfmSettings s) {
        long rows = write(TicketSource.all(asOf, null), asOf, s);
        jdbc.sql("delete from segments.rfm_break").update();
        jdbc.sql("""
                insert into segments.rfm_break (dimension, score, min_key)
                select 'R', r_score, min(last_purchase_date - ?::date) from segments.member_rfm group by r_score
                union all select 'F', f_score, min(frequency) from segments.member_rfm group by f_score
                union all select 'M', m_score, min(monetary_fen) from segments.member_rfm group by m_score""").param(asOf).update();
        jdbc.sql("update segments.rfm_settings set last_full_as_of = ? where id = 1")
                .param(asOf)
                .update();
        return rows;
    }

    /**
     * The daily roll's RFM: everybody's scores and bands as of {@code asOf} as {@link #scoreAll}
     * gives them, writing only the rows that change. The caller has brought the figures of every
     * member whose frequency or monetary moved up to {@code asOf} ({@link #leaveRfmWindow}, or a
     * recompute from the tickets); every other row keeps its figures, and its recency is
     * {@code asOf - last_purchase_date}. So:
     *
     * <ol>
     *   <li>the breakpoints: for each dimension, the number of rows with a smaller value per distinct
     *       value (a group-by, a running sum over the groups) gives that value's score, and the
     *       smallest value of each score is its breakpoint ({@code rfm_break}) — the same scores as
     *       ranking every row ({@code 1 + ⌊5·(rank−1)/(n−1)⌋}, ties at the lowest rank), because a
     *       score depends only on how many rows hold a smaller value;
     *   <li>one update placing every row by them, which writes only where a band or score differs.
     * </ol>
     *
     * A day's roll so rewrites the members crossing a recency band or an R breakpoint, not all of
     * them (recency moves for everybody, their order does not).
     */
    @Transactional(propagation = Propagation.MANDATORY)
    long rescoreInPlace(LocalDate asOf, RfmSettings s) {
        // R: the smaller the recency (the later the last purchase), the higher the score. A plain
        // select (PostgreSQL may share its scans among parallel workers; a statement that writes may
        // not), its few rows written after.
        Map<String, List<long[]>> breaks = new HashMap<>();
        jdbc.sql("""
                with g as (
                    select 'R' as dimension, (last_purchase_date - ?::date)::bigint as v, count(*) as c
                    from segments.member_rfm group by last_purchase_date
                    union all
                    select 'F', frequency, count(*) from segments.member_rfm group by frequency
                    union all
                    select 'M', monetary_fen, count(*) from segments.member_rfm group by monetary_fen
                ),
                placed as (
                    select dimension, v,
                           least(5, 1 + 5 * (coalesce(sum(c) over (partition by dimension order by v
                                rows between unbounded preceding and 1 preceding), 0))::bigint
                                / greatest((sum(c) over (partition by dimension))::bigint - 1, 1))::smallint as score
                    from g
                )
                select dimension, score, min(v) from placed group by dimension, score order by dimension, score desc""").param(asOf).query(rs -> {
            breaks.computeIfAbsent(rs.getString(1), k -> new ArrayList<>())
                    .add(new long[] {rs.getLong(2), rs.getLong(3)});
        });
        jdbc.sql("delete from segments.rfm_break").update();
        breaks.forEach((dimension, rows) -> rows.forEach(
                b -> jdbc.sql("insert into segments.rfm_break (dimension, score, min_key) values (?, ?, ?)")
                        .params(dimension, (int) b[0], b[1])
                        .update()));
        // literals only (a date, the settings' integers, the breakpoints): the expressions appear twice
        String day = "date '" + asOf + "'";
        String r = placedBy(breaks.get("R"), "(r.last_purchase_date - " + day + ")");
        String f = placedBy(breaks.get("F"), "r.frequency");
        String m = placedBy(breaks.get("M"), "r.monetary_fen");
        String rBand = """
                case when %1$s - r.last_purchase_date <= %2$d then 'ACTIVE'
                     when %1$s - r.last_purchase_date <= %3$d then 'SILENT'
                     when %1$s - r.last_purchase_date <= %4$d then 'SLEEPING' else 'LOST' end""".formatted(day, s.activeDays(), s.silentDays(), s.sleepingDays());
        String fBand = """
                case when r.frequency >= %d then 'FAN' when r.frequency >= %d then 'OLD'
                     when r.frequency >= %d then 'SECOND' else 'NEW' end""".formatted(s.fanMin(), s.oldMin(), s.secondMin());
        long changed = jdbc.sql("""
                update segments.member_rfm r set (r_band, f_band, r_score, f_score, m_score, as_of) =
                    (%1$s, %2$s, %3$s, %4$s, %5$s, %6$s)
                where (r.r_band, r.f_band, r.r_score, r.f_score, r.m_score)
                    is distinct from (%1$s, %2$s, %3$s, %4$s, %5$s)""".formatted(rBand, fBand, r, f, m, day)).update();
        jdbc.sql("update segments.rfm_settings set last_full_as_of = ? where id = 1")
                .param(asOf)
                .update();
        return changed;
    }

    /**
     * Takes the end-of-month snapshot of the cells when {@code asOf} is in a later month than the
     * last full refresh: member_rfm then still holds that month's last state.
     */
    @Transactional(propagation = Propagation.MANDATORY)
    boolean snapshotIfNewMonth(LocalDate asOf) {
        LocalDate last = lastFullAsOf();
        if (last == null || !YearMonth.from(asOf).isAfter(YearMonth.from(last))) {
            return false;
        }
        jdbc.sql("""
                insert into segments.rfm_snapshot (month, member_id, cell)
                select ?, member_id, %s from segments.member_rfm r
                on conflict (month, member_id) do update set cell = excluded.cell""".formatted(CELL_INDEX.formatted("r")))
                .param(YearMonth.from(last).atDay(1))
                .update();
        return true;
    }

    /**
     * {@code key}'s score by descending breakpoints ({score, smallest value of that score}): the
     * highest score whose breakpoint the value reaches, 1 below all of them; null without rows.
     */
    static String placedBy(List<long[]> descending, String key) {
        if (descending == null || descending.isEmpty()) {
            return "null::smallint";
        }
        StringBuilder sql = new StringBuilder("(case");
        for (long[] b : descending) {
            sql.append(" when ")
                    .append(key)
                    .append(" >= ")
                    .append(b[1])
                    .append(" then ")
                    .append(b[0]);
        }
        return sql.append(" else 1 end)::smallint").toString();
    }

    /** Most days one roll covers; a longer gap, or an as-of day before the last refresh, rebuilds in full. */
    static final int MAX_ROLL_DAYS = 31;

    /** Members per facts statement of a roll (one statement per chunk, like an import chunk). */
    private static final int ROLL_CHUNK = 5_000;

    /**
     * Refreshes facts and RFM as of {@code asOf} (ADMIN with all stores; the daily job does the same
     * roll as of today): one transaction, one at a time (409 while another runs), audited. Without
     * {@code full} it rolls the facts forward from the last refresh (see {@link #roll}); with it, or
     * when no roll is possible, it rebuilds every member's facts from all tickets.
     */
    @Transactional
    public FactsRefresh refresh(LocalDate asOf, boolean full) {
        CurrentStaff.requireAnyRole(Role.ADMIN);
        CurrentStaff.requireAllStores();
        if (asOf == null) {
            asOf = MemberFacts.today();
        }
        FactsRefresh r = full ? refreshAll(asOf) : roll(asOf);
        audit.record(
                "rfm.refreshed", "rfm", asOf.toString(), Map.of("mode", r.mode(), "facts", r.facts(), "rfm", r.rfm()));
        return r;
    }

    /** Full rebuild: every member's facts from all their tickets as of {@code asOf}, then RFM. */
    @Transactional(propagation = Propagation.MANDATORY)
    FactsRefresh refreshAll(LocalDate asOf) {
        return refreshAll(asOf, rebuildRangeTickets);
    }

    /** {@link #refreshAll(LocalDate)} in member ranges of about {@code rangeTickets} named tickets. */
    @Transactional(propagation = Propagation.MANDATORY)
    FactsRefresh refreshAll(LocalDate asOf, long rangeTickets) {
        long start = System.nanoTime();
        begin();
        return rebuild(asOf, start, rangeTickets);
    }

    /**
     * The daily roll from the day of the last refresh ({@code facts_as_of}) to {@code asOf}: facts
     * kept current by the sales events change without an event only where a ticket leaves a member's
     * 12-month window — for those members only the 12-month figures, from their tickets alone
     * ({@link MemberFacts#recomputeWindow}) — or where a ticket is dated after the last refresh (those
     * members are recomputed from all their tickets and lines, {@link MemberFacts#datedAfter}); then
     * the RFM rows whose figures moved are recomputed and everybody is placed again
     * ({@link #rescoreInPlace}: recency moves for everybody). Gives the same facts and RFM as a full rebuild as of the same day
     * (FactsIntegrationTests); falls back to it without a previous refresh, for an earlier day or a
     * gap over {@link #MAX_ROLL_DAYS}.
     */
    @Transactional(propagation = Propagation.MANDATORY)
    FactsRefresh roll(LocalDate asOf) {
        long start = System.nanoTime();
        begin();
        LocalDate from = factsAsOf();
        if (from == null || asOf.isBefore(from) || asOf.isAfter(from.plusDays(MAX_ROLL_DAYS))) {
            return rebuild(asOf, start, rebuildRangeTickets);
        }
        RfmSettings settings = currentSettings();
        // tickets leaving the 12 months: the figures go down by those tickets alone; a ticket dated
        // after the last refresh (or a row the window update cannot serve): all from the tickets
        LocalDate lastFull = lastFullAsOf();
        List<Long> late = facts.datedAfter(from, asOf);
        List<Long> updated = facts.leaveWindow(from, asOf);
        TreeSet<Long> full = new TreeSet<>(facts.leftWindow(from, asOf));
        full.removeAll(new HashSet<>(updated));
        full.addAll(late);
        long factRows = updated.size()
                + inChunks(List.copyOf(full), chunk -> facts.recompute(TicketSource.members(chunk, asOf), asOf));
        jdbc.sql("update segments.rfm_settings set facts_as_of = ? where id = 1")
                .param(asOf)
                .update();
        boolean snap = snapshotIfNewMonth(asOf); // before any RFM row changes
        // the same for the RFM window (months): its leaving tickets subtracted; the members recomputed
        // in full above, and those the subtraction cannot serve, recomputed from their tickets
        List<Long> rfmUpdated = leaveRfmWindow(from, asOf, lastFull == null ? from : lastFull, settings.windowMonths());
        TreeSet<Long> rescored = new TreeSet<>(rfmWindowMoved(from, asOf, settings.windowMonths()));
        rescored.removeAll(new HashSet<>(rfmUpdated));
        rescored.addAll(full);
        inChunks(List.copyOf(rescored), chunk -> write(TicketSource.members(chunk, asOf), asOf, settings));
        long rfmRows = rfmUpdated.size() + rescored.size() + rescoreInPlace(asOf, settings);
        return new FactsRefresh(
                asOf, FactsRefresh.ROLL, from, factRows, rfmRows, snap, (System.nanoTime() - start) / 1_000_000);
    }

    /** Runs {@code work} over {@code ids} in chunks of {@link #ROLL_CHUNK}; returns the sum of what it returned. */
    private static long inChunks(List<Long> ids, java.util.function.ToLongFunction<List<Long>> work) {
        long sum = 0;
        for (int i = 0; i < ids.size(); i += ROLL_CHUNK) {
            sum += work.applyAsLong(ids.subList(i, Math.min(ids.size(), i + ROLL_CHUNK)));
        }
        return sum;
    }

    /**
     * The RFM figures of the members with a ticket leaving the window ({@code months}) between
     * {@code from} and {@code to} go down by those tickets alone, as
     * {@link MemberFacts#leaveWindow} does for the facts: a row holds its figures as of
     * {@code greatest(as_of, lastFull)}; only tickets it counts ({@code id <= max_sale_id}) dated
     * after that day's window start are subtracted. Bands and scores are placed afterwards by
     * {@link #rescoreInPlace}. Returns the members updated, ascending.
     */
    private List<Long> leaveRfmWindow(LocalDate from, LocalDate to, LocalDate lastFull, int months) {
        return jdbc
                .sql("""
                with lv as (
                    select s.id, s.kind, s.business_date, s.total_fen, s.member_id from sales.v_sale s
                    where s.member_id is not null and s.business_date > ?::date and s.business_date <= ?::date
                ),
                d as (
                    select r.member_id,
                           count(distinct lv.business_date) filter (where c.counted and lv.kind = 'SALE') as days,
                           coalesce(sum(lv.total_fen) filter (where c.counted), 0) as spend
                    from lv join segments.member_rfm r on r.member_id = lv.member_id
                    cross join lateral (select lv.id <= r.max_sale_id
                        and lv.business_date > (greatest(r.as_of, ?::date) - make_interval(months => ?::int))::date as counted) c
                    where r.max_sale_id is not null
                    group by r.member_id
                )
                update segments.member_rfm r set frequency = r.frequency - d.days::int,
                    monetary_fen = r.monetary_fen - d.spend::bigint, as_of = ?::date
                from d where r.member_id = d.member_id
                returning r.member_id""")
                .params(from.minusMonths(months), to.minusMonths(months), lastFull, months, to)
                .query(Long.class)
                .list()
                .stream()
                .sorted()
                .toList();
    }

    /**
     * The members with a ticket counted in the RFM window ({@code months} before the day, exclusive)
     * as of {@code from} but not as of {@code to}: their frequency or monetary moved without an event.
     */
    private List<Long> rfmWindowMoved(LocalDate from, LocalDate to, int months) {
        return jdbc.sql("""
                select distinct member_id from sales.v_sale
                where member_id is not null and business_date > ?::date and business_date <= ?::date""")
                .params(from.minusMonths(months), to.minusMonths(months))
                .query(Long.class)
                .list();
    }

    /** Takes the refresh lock (409 while another refresh runs) and sizes the work memory. */
    private void begin() {
        boolean locked = jdbc.sql("select pg_try_advisory_xact_lock(hashtext('segments.refresh'))")
                .query(Boolean.class)
                .single();
        if (!locked) {
            throw new PatronException(HttpStatus.CONFLICT, "rfm.refresh.running");
        }
        holdRowWriters();
        // the whole-table aggregates (facts and favourites over every line, the ranks) sort and hash
        // far more than PostgreSQL's default 4 MB per operation: without this they spill to disk
        jdbc.sql("set local work_mem = '" + refreshWorkMem + "'").update();
    }

    /**
     * Every member's facts from all their tickets, range of member ids by range: one statement over
     * every line sorts and hashes them all at once (16.6 GB of temporary files at 33M tickets and
     * 100M lines); a range of about {@code rangeTickets} named tickets bounds that, at the
     * cost of one more pass over the lines per range. The ranges cover every id, so rows of members
     * left without a ticket are deleted too.
     */
    private FactsRefresh rebuild(LocalDate asOf, long start, long rangeTickets) {
        LocalDate from = factsAsOf();
        long factRows = 0;
        for (long[] range : memberRanges(rangeTickets)) {
            factRows += facts.recompute(TicketSource.range(range[0], range[1], asOf), asOf);
        }
        return finish(asOf, FactsRefresh.FULL, from, factRows, start);
    }

    /**
     * Consecutive inclusive ranges of member ids covering every id, each but the last ending just
     * before the member at {@code rangeTickets} named tickets past its start (an index-only walk of
     * the tickets by member): ranges of about as many tickets whatever the spread of ids.
     */
    List<long[]> memberRanges(long rangeTickets) {
        List<long[]> ranges = new ArrayList<>();
        long lo = Long.MIN_VALUE;
        while (true) {
            // the first member from lo on, and the member rangeTickets tickets further
            Long[] at = jdbc.sql("""
                    select (select member_id from sales.v_sale where member_id >= ? order by member_id limit 1),
                           (select member_id from sales.v_sale where member_id >= ? order by member_id offset ? limit 1)""")
                    .params(lo, lo, rangeTickets)
                    .query((rs, n) -> new Long[] {rs.getObject(1, Long.class), rs.getObject(2, Long.class)})
                    .single();
            if (at[1] == null) {
                ranges.add(new long[] {lo, Long.MAX_VALUE});
                return ranges;
            }
            // one member with more than a range of tickets: a range of his own
            long hi = at[1].equals(at[0]) ? at[0] + 1 : at[1];
            ranges.add(new long[] {lo, hi - 1});
            lo = hi;
        }
    }

    private FactsRefresh finish(LocalDate asOf, String mode, LocalDate from, long factRows, long start) {
        jdbc.sql("update segments.rfm_settings set facts_as_of = ? where id = 1")
                .param(asOf)
                .update();
        boolean snap = snapshotIfNewMonth(asOf);
        long rfmRows = scoreAll(asOf, currentSettings());
        return new FactsRefresh(asOf, mode, from, factRows, rfmRows, snap, (System.nanoTime() - start) / 1_000_000);
    }

    /**
     * Holds off the writers of facts and RFM rows (the sales feed's facts consumer, merges) until this
     * transaction ends; readers go on. Without it a row such a writer changed while a whole-table
     * statement here ran would be overwritten with values read before its change (an upsert updates
     * the latest row version with what its own snapshot computed), and a writer that read the settings
     * before they changed would band by the old ones. Taken before this transaction touches either
     * table, so it only waits for the writers in flight.
     */
    private void holdRowWriters() {
        jdbc.sql("lock table segments.member_fact, segments.member_rfm in exclusive mode")
                .update();
    }

    /** The day of the last full rebuild or roll of the facts; null before the first. */
    LocalDate factsAsOf() {
        return jdbc.sql("select facts_as_of from segments.rfm_settings where id = 1")
                .query(LocalDate.class)
                .optional()
                .orElse(null);
    }

    /** Recomputes facts and RFM of the source's members and announces it, in the caller's transaction. */
    @Transactional(propagation = Propagation.MANDATORY)
    void recompute(TicketSource source, LocalDate asOf) {
        facts.recompute(source, asOf);
        rescore(source, asOf);
        events.publishEvent(new MemberFactsChanged(Arrays.asList(source.memberIds())));
    }

    /**
     * New tickets from the sales feed, in its transaction: their members' facts and RFM rows brought
     * up to date and announced ({@link MemberFactsChanged}, every member named on the tickets). New
     * SALE tickets are added to current rows ({@link MemberFacts#applySales}: the cost does not grow
     * with the member's history); members with a RETURN among them, without current rows, with a
     * ticket dated after {@code asOf} or with a ticket that may be counted already (a redelivered
     * event) are recomputed from all their tickets, as merges and the daily roll do.
     */
    @Transactional(propagation = Propagation.MANDATORY)
    void salesRecorded(List<RecordedSale> sales, LocalDate asOf) {
        Set<Long> full = new HashSet<>();
        for (RecordedSale s : sales) {
            if (s.memberId() != null
                    && (s.kind() != SaleKind.SALE || s.businessDate().isAfter(asOf))) {
                full.add(s.memberId());
            }
        }
        List<Long> saleIds = new ArrayList<>();
        List<Long> saleMembers = new ArrayList<>();
        TreeSet<Long> members = new TreeSet<>();
        for (RecordedSale s : sales) {
            if (s.memberId() == null) {
                continue;
            }
            members.add(s.memberId());
            if (!full.contains(s.memberId())) {
                saleIds.add(s.saleId());
                saleMembers.add(s.memberId());
            }
        }
        if (members.isEmpty()) {
            return;
        }
        List<Long> applied = saleIds.isEmpty()
                ? List.of()
                : facts.applySales(saleIds.toArray(Long[]::new), saleMembers.toArray(Long[]::new), asOf);
        List<Long> rest = new ArrayList<>(members);
        rest.removeAll(new HashSet<>(applied));
        if (!rest.isEmpty()) {
            TicketSource source = TicketSource.members(rest, asOf);
            facts.recompute(source, asOf);
            rescore(source, asOf);
        }
        events.publishEvent(new MemberFactsChanged(List.copyOf(members)));
    }

    // ------------------------------------------------------------------ export

    /** Parses the export's as-of day (default today); 400 naming {@code asOf} when not a past or present date. */
    public static LocalDate asOf(String value) {
        if (value == null || value.isBlank()) {
            return MemberFacts.today();
        }
        try {
            LocalDate d = LocalDate.parse(value.strip());
            if (d.isAfter(MemberFacts.today())) {
                throw PatronException.invalid("asOf", "rfm.validation.future");
            }
            return d;
        } catch (DateTimeParseException e) {
            throw PatronException.invalid("asOf", "rfm.validation.date");
        }
    }

    /**
     * Streams the RFM of every member as of {@code asOf}, computed from sales (not from today's
     * table): quintiles ranked over all members with a purchase up to that day, or over the members
     * of one store with only that store's tickets when {@code storeId} is given. {@code windowMonths}
     * null: the settings' window. {@code open} is called once the request is known to be valid. Audited
     * ({@code rfm.exported}).
     */
    @Transactional
    public void export(LocalDate asOf, Integer windowMonths, Long storeId, Runnable open, Consumer<RfmExportRow> sink) {
        CurrentStaff.requireAnyRole(Role.MARKETER, Role.ANALYST, Role.ADMIN);
        if (storeId == null) {
            CurrentStaff.requireAllStores();
        } else {
            CurrentStaff.requireStore(storeId);
            boolean exists = jdbc.sql("select exists (select 1 from organization.v_store where id = ?)")
                    .param(storeId)
                    .query(Boolean.class)
                    .single();
            if (!exists) {
                throw PatronException.unknownReference("storeId", "rfm.unknownStore", storeId);
            }
        }
        RfmSettings s = currentSettings();
        int months = windowMonths == null ? s.windowMonths() : windowMonths;
        if (months < 1 || months > 120) {
            throw PatronException.invalid("windowMonths", "rfm.validation.range", 1, 120);
        }
        TicketSource source = TicketSource.all(asOf, storeId);
        String sql = scoredSql(source, false) + """
                select x.member_id, e.ids, x.recency_days, x.frequency, x.monetary_fen, x.r_score, x.f_score, x.m_score,
                       x.r_band, x.f_band
                from scored x
                left join (select member_id, string_agg(system || ':' || value, ';' order by system, value) as ids
                           from members.v_identifier where kind = 'EXTERNAL' group by member_id) e
                       on e.member_id = x.member_id
                order by x.member_id""";
        // a bulk read of members with their external ids: audited like the member list export
        Map<String, Object> details = new java.util.LinkedHashMap<>();
        details.put("asOf", asOf.toString());
        details.put("windowMonths", months);
        details.put("storeId", storeId == null ? "all" : storeId);
        audit.record("rfm.exported", "rfm", asOf.toString(), details);
        open.run();
        streaming.query(
                sql,
                (org.springframework.jdbc.core.RowCallbackHandler) rs -> {
                    sink.accept(new RfmExportRow(
                            rs.getLong(1),
                            rs.getString(2),
                            rs.getInt(3),
                            rs.getInt(4),
                            rs.getLong(5),
                            rs.getInt(6),
                            rs.getInt(7),
                            rs.getInt(8),
                            rs.getString(9),
                            rs.getString(10)));
                },
                scoredParams(source, asOf, months, s).toArray());
    }
}
