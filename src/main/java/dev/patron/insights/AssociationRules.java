package dev.patron.insights;

import dev.patron.audit.AuditLog;
import dev.patron.members.MemberManagement;
import dev.patron.organization.OrganizationManagement;
import dev.patron.shared.security.CurrentStaff;
import dev.patron.shared.security.Role;
import dev.patron.shared.web.PageQuery;
import dev.patron.shared.web.PageResult;
import dev.patron.shared.web.PatronException;
import dev.patron.shared.web.SqlFilter;
import dev.patron.shared.web.SqlPage;
import java.math.BigDecimal;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * The cross-sell API: association rules over baskets at category or brand level (mine on demand,
 * list and filter the current rules, run history), a member's next best categories / brands and
 * up-sell offers, and "members likely to buy X" as an SQL set for segments. The math is in
 * docs/MODELS.md ("Cross-sell and up-sell").
 *
 * <p>Rules: rules and runs are chain-wide figures for head office: ANALYST, MARKETER or ADMIN with
 * all stores; mining is audited. A member's recommendations also for STORE_MANAGER, COUNTER_STAFF and
 * AGENT, for members in their stores (as the member 360 view); reads through the API are audited.
 */
@Service
public class AssociationRules {

    static final ZoneId ZONE = ZoneId.of("Asia/Shanghai");
    static final BigDecimal DEFAULT_SUPPORT = new BigDecimal("0.01");
    static final BigDecimal DEFAULT_CONFIDENCE = new BigDecimal("0.5");
    static final int DEFAULT_LIMIT = 5;
    static final Role[] HEAD_OFFICE = {Role.ANALYST, Role.MARKETER, Role.ADMIN};
    static final Role[] MEMBER_READERS = {
        Role.ANALYST, Role.MARKETER, Role.ADMIN, Role.STORE_MANAGER, Role.COUNTER_STAFF, Role.AGENT
    };
    private static final Map<String, String> SORT =
            Map.of("lift", "r.lift", "confidence", "r.confidence", "support", "r.support");
    private static final Map<String, String> RUN_SORT = Map.of("id", "id", "startedAt", "started_at");

    private final JdbcClient jdbc;
    private final RuleMiningJob job;
    private final NextBest nextBest;
    private final UpSell upSell;
    private final MemberManagement members;
    private final OrganizationManagement organization;
    private final AuditLog audit;

    AssociationRules(
            JdbcClient jdbc,
            RuleMiningJob job,
            NextBest nextBest,
            UpSell upSell,
            MemberManagement members,
            OrganizationManagement organization,
            AuditLog audit) {
        this.jdbc = jdbc;
        this.job = job;
        this.nextBest = nextBest;
        this.upSell = upSell;
        this.members = members;
        this.organization = organization;
        this.audit = audit;
    }

    static LocalDate today() {
        return LocalDate.now(ZONE);
    }

    /** Whether the caller may read rules and mine (for navigation and buttons). */
    public boolean mayRead() {
        return CurrentStaff.get().hasAnyRole(HEAD_OFFICE)
                && CurrentStaff.scope().allStores();
    }

    private static void requireHeadOffice() {
        CurrentStaff.requireAnyRole(HEAD_OFFICE);
        CurrentStaff.requireAllStores();
    }

    // ---------------------------------------------------------------- mining

    /**
     * Starts a mining run in the background and returns it (status RUNNING). 400 naming the field
     * for thresholds not above 0 or above 1, maxItems outside 2-10, from after to, a future to; 404 naming
     * storeCodes for an unknown store; 409 when a run of the level is still going.
     */
    public RuleRun mine(MineCommand cmd) {
        requireHeadOffice();
        MineCommand c = cmd == null ? new MineCommand(null, null, null, null, null, null, null) : cmd;
        RuleLevel level = RuleLevel.parse(c.level(), "level", RuleLevel.CATEGORY);
        BigDecimal support = ratio(c.minSupport(), "minSupport", DEFAULT_SUPPORT);
        BigDecimal confidence = ratio(c.minConfidence(), "minConfidence", DEFAULT_CONFIDENCE);
        int maxItems = c.maxItems() == null ? FpGrowth.MAX_ITEMS : c.maxItems();
        if (maxItems < 2 || maxItems > FpGrowth.MAX_ITEMS) {
            throw PatronException.invalid("maxItems", "xsell.validation.maxItems", 2, FpGrowth.MAX_ITEMS);
        }
        LocalDate to = c.to() == null ? today() : c.to();
        if (to.isAfter(today())) {
            throw PatronException.invalid("to", "xsell.validation.future");
        }
        LocalDate from = c.from() == null ? to.minusMonths(job.windowMonths()).plusDays(1) : c.from();
        if (from.isAfter(to)) {
            throw PatronException.invalid("from", "xsell.validation.fromAfterTo");
        }
        Long[] stores = null;
        if (c.storeCodes() != null && !c.storeCodes().isEmpty()) {
            Set<Long> ids = new LinkedHashSet<>();
            for (int i = 0; i < c.storeCodes().size(); i++) {
                String code = c.storeCodes().get(i);
                Optional<Long> id = code == null ? Optional.empty() : organization.storeIdByCode(code.trim());
                if (id.isEmpty()) {
                    throw PatronException.unknownReference(
                            "storeCodes[" + i + "]", "xsell.validation.unknownStore", code);
                }
                ids.add(id.get());
            }
            stores = ids.toArray(Long[]::new);
        }
        long id = job.start(
                new RuleMiningJob.Params(level, support, confidence, maxItems, from, to, stores), "ON_DEMAND");
        job.executeLater(id);
        return runOrThrow(id);
    }

    /** A threshold above 0 and at most 1; null gives {@code fallback}. */
    static BigDecimal ratio(BigDecimal value, String field, BigDecimal fallback) {
        if (value == null) {
            return fallback;
        }
        if (value.signum() <= 0 || value.compareTo(BigDecimal.ONE) > 0) {
            throw PatronException.invalid(field, "xsell.validation.ratio");
        }
        return value;
    }

    // ---------------------------------------------------------------- runs

    @Transactional(readOnly = true)
    public RuleRun run(long id) {
        requireHeadOffice();
        return runOrThrow(id);
    }

    private RuleRun runOrThrow(long id) {
        return jdbc.sql("select * from insights.rule_run where id = ?")
                .param(id)
                .query(AssociationRules::run)
                .optional()
                .orElseThrow(() -> PatronException.notFound("xsell.run.notFound", id));
    }

    /** Runs, newest first by default; {@code level} null for both levels. */
    @Transactional(readOnly = true)
    public PageResult<RuleRun> runs(RuleLevel level, PageQuery page) {
        requireHeadOffice();
        PageQuery p = page.sort() == null ? new PageQuery(page.page(), page.size(), page.q(), "id", true) : page;
        SqlFilter f = new SqlFilter().addIf(level == null ? null : level.name(), "level = :level", "level");
        return SqlPage.query(
                jdbc,
                "select count(*) from insights.rule_run" + f.where(),
                "select * from insights.rule_run" + f.where() + " order by " + p.orderBy(RUN_SORT, "id"),
                f.params(),
                p,
                AssociationRules::run);
    }

    /** The latest successful run of the level: the rules in use. */
    @Transactional(readOnly = true)
    public Optional<RuleRun> currentRun(RuleLevel level) {
        CurrentStaff.requireAnyRole(MEMBER_READERS);
        return current(level);
    }

    private Optional<RuleRun> current(RuleLevel level) {
        return jdbc.sql("select * from insights.rule_run where level = ? and status = 'DONE' order by id desc limit 1")
                .param(level.name())
                .query(AssociationRules::run)
                .optional();
    }

    private static RuleRun run(ResultSet rs, int n) throws SQLException {
        java.sql.Array stores = rs.getArray("store_ids");
        java.sql.Timestamp finished = rs.getTimestamp("finished_at");
        return new RuleRun(
                rs.getLong("id"),
                RuleLevel.valueOf(rs.getString("level")),
                rs.getString("status"),
                rs.getBigDecimal("min_support").stripTrailingZeros(),
                rs.getBigDecimal("min_confidence").stripTrailingZeros(),
                rs.getInt("max_items"),
                rs.getObject("date_from", LocalDate.class),
                rs.getObject("date_to", LocalDate.class),
                stores == null ? null : List.of((Long[]) stores.getArray()),
                rs.getObject("baskets", Long.class),
                rs.getObject("min_support_count", Long.class),
                rs.getObject("frequent_itemsets", Long.class),
                rs.getObject("rules", Long.class),
                rs.getObject("members_scored", Long.class),
                rs.getObject("duration_ms", Long.class),
                rs.getString("error"),
                rs.getString("started_by"),
                rs.getString("trigger"),
                rs.getTimestamp("started_at").toInstant(),
                finished == null ? null : finished.toInstant());
    }

    // ---------------------------------------------------------------- rules

    /**
     * Filters of the rule list: level (default CATEGORY), run (default the current one), thresholds
     * (kept when support ≥ minSupport and confidence ≥ minConfidence, compared exactly on the counts),
     * an item (code) on the left or the right side.
     */
    public record RuleQuery(
            String level,
            Long runId,
            BigDecimal minSupport,
            BigDecimal minConfidence,
            String antecedent,
            String consequent) {}

    /** The rules of a run, paged; sort lift (default, descending), confidence or support; q matches item names and codes. */
    @Transactional(readOnly = true)
    public PageResult<AssociationRule> rules(RuleQuery query, PageQuery page) {
        requireHeadOffice();
        RuleLevel level = RuleLevel.parse(query.level(), "level", RuleLevel.CATEGORY);
        BigDecimal support = ratio(query.minSupport(), "minSupport", null);
        BigDecimal confidence = ratio(query.minConfidence(), "minConfidence", null);
        PageQuery p = page.sort() == null ? new PageQuery(page.page(), page.size(), page.q(), "lift", true) : page;
        String order = p.orderBy(SORT, "lift");
        Long antecedent = itemId(level, query.antecedent(), "antecedent");
        Long consequent = itemId(level, query.consequent(), "consequent");
        Long runId = query.runId();
        if (runId != null) {
            RuleRun r = runOrThrow(runId);
            if (r.level() != level) {
                throw PatronException.invalid(
                        "runId", "xsell.validation.runLevel", r.level().name());
            }
        } else {
            runId = current(level).map(RuleRun::id).orElse(null);
        }
        if (runId == null) {
            return new PageResult<>(List.of(), p.page(), p.size(), 0);
        }
        SqlFilter f = new SqlFilter().add("r.run_id = :run", "run", runId);
        f.addIf(support, "r.both_count::numeric >= :minSupport * r.baskets", "minSupport");
        f.addIf(confidence, "r.both_count::numeric >= :minConfidence * r.antecedent_count", "minConfidence");
        f.addIf(antecedent, "r.antecedent @> array[:antecedent]::bigint[]", "antecedent");
        f.addIf(consequent, "r.consequent @> array[:consequent]::bigint[]", "consequent");
        String items = level == RuleLevel.CATEGORY
                ? "select 1 from organization.v_category i where i.id = any(r.antecedent || r.consequent)"
                        + " and (i.name ilike :q or i.code ilike :q)"
                : "select 1 from organization.v_brand i where i.id = any(r.antecedent || r.consequent)"
                        + " and (i.name ilike :q or i.code ilike :q or i.name_en ilike :q)";
        f.addIf(p.likePattern(), "exists (" + items + ")", "q");
        PageResult<Object[]> rows = SqlPage.query(
                jdbc,
                "select count(*) from insights.association_rule r" + f.where(),
                "select r.* from insights.association_rule r" + f.where() + " order by " + order,
                f.params(),
                p,
                (rs, n) -> new Object[] {
                    rs.getLong("id"),
                    rs.getLong("run_id"),
                    List.of((Long[]) rs.getArray("antecedent").getArray()),
                    List.of((Long[]) rs.getArray("consequent").getArray()),
                    rs.getLong("baskets"),
                    rs.getLong("antecedent_count"),
                    rs.getLong("consequent_count"),
                    rs.getLong("both_count"),
                    rs.getBigDecimal("support"),
                    rs.getBigDecimal("confidence"),
                    rs.getBigDecimal("lift")
                });
        Set<Long> ids = new LinkedHashSet<>();
        for (Object[] r : rows.items()) {
            ids.addAll(cast(r[2]));
            ids.addAll(cast(r[3]));
        }
        Map<Long, RuleItem> names = items(level, ids);
        return rows.map(r -> new AssociationRule(
                (Long) r[0],
                (Long) r[1],
                level,
                named(cast(r[2]), names),
                named(cast(r[3]), names),
                (Long) r[4],
                (Long) r[5],
                (Long) r[6],
                (Long) r[7],
                ((BigDecimal) r[8]).stripTrailingZeros(),
                ((BigDecimal) r[9]).stripTrailingZeros(),
                ((BigDecimal) r[10]).stripTrailingZeros()));
    }

    @SuppressWarnings("unchecked")
    private static List<Long> cast(Object o) {
        return (List<Long>) o;
    }

    private Long itemId(RuleLevel level, String code, String field) {
        if (code == null || code.isBlank()) {
            return null;
        }
        Optional<Long> id = level == RuleLevel.CATEGORY
                ? organization.category(code.trim()).map(c -> c.id())
                : organization.brand(code.trim()).map(b -> b.id());
        return id.orElseThrow(() -> PatronException.unknownReference(field, "xsell.validation.unknownItem", code));
    }

    /** Names of categories or brands by id. */
    Map<Long, RuleItem> items(RuleLevel level, Collection<Long> ids) {
        Map<Long, RuleItem> out = new HashMap<>();
        if (ids.isEmpty()) {
            return out;
        }
        String sql = level == RuleLevel.CATEGORY
                ? "select id, code, name, null as name_en from organization.v_category where id = any(?)"
                : "select id, code, name, name_en from organization.v_brand where id = any(?)";
        jdbc.sql(sql).param(ids.toArray(Long[]::new)).query(rs -> {
            out.put(rs.getLong(1), new RuleItem(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4)));
        });
        return out;
    }

    private static List<RuleItem> named(List<Long> ids, Map<Long, RuleItem> names) {
        return ids.stream()
                .map(id -> names.getOrDefault(id, new RuleItem(id, null, "#" + id, null)))
                .toList();
    }

    /** One dot of the rules chart. */
    public record RulePoint(BigDecimal support, BigDecimal confidence, BigDecimal lift, String label) {}

    /** Up to {@code limit} rules of the run with the highest lift, for the support/confidence chart. */
    @Transactional(readOnly = true)
    public List<RulePoint> points(RuleLevel level, long runId, int limit) {
        requireHeadOffice();
        List<Object[]> raw = jdbc.sql("""
                select antecedent, consequent, support, confidence, lift from insights.association_rule
                where run_id = ? order by lift desc, id limit ?""")
                .params(runId, limit)
                .query((rs, n) -> new Object[] {
                    List.of((Long[]) rs.getArray(1).getArray()),
                    List.of((Long[]) rs.getArray(2).getArray()),
                    rs.getBigDecimal(3),
                    rs.getBigDecimal(4),
                    rs.getBigDecimal(5)
                })
                .list();
        Set<Long> ids = new LinkedHashSet<>();
        raw.forEach(r -> {
            ids.addAll(cast(r[0]));
            ids.addAll(cast(r[1]));
        });
        Map<Long, RuleItem> names = items(level, ids);
        return raw.stream()
                .map(r -> new RulePoint(
                        (BigDecimal) r[2],
                        (BigDecimal) r[3],
                        (BigDecimal) r[4],
                        label(named(cast(r[0]), names)) + " ⇒ " + label(named(cast(r[1]), names))))
                .toList();
    }

    static String label(List<RuleItem> items) {
        return "{" + String.join(", ", items.stream().map(RuleItem::name).toList()) + "}";
    }

    // ---------------------------------------------------------------- members

    /**
     * A member's next best items at {@code level} and up-sell offers (GET /api/v1/members/{id}/next-best);
     * 404 unknown member, 403 outside the caller's stores; audited.
     */
    @Transactional
    public Recommendations recommendations(long memberId, String level, Integer limit) {
        CurrentStaff.requireAnyRole(MEMBER_READERS);
        RuleLevel l = RuleLevel.parse(level, "level", RuleLevel.CATEGORY);
        int n = limit == null ? DEFAULT_LIMIT : limit;
        if (n < 1 || n > 50) {
            throw PatronException.invalid("limit", "xsell.validation.limit", 1, 50);
        }
        members.requireVisible(memberId);
        InsightsPrivacy.requirePersonalisation(members, memberId);
        audit.record("xsell.recommendations.read", "member", memberId, Map.of("level", l.name()));
        return compute(memberId, l, n);
    }

    /** The same for the 360-view panel (the view has checked the member's store and audits its reads). */
    @Transactional(readOnly = true)
    public Optional<Recommendations> forPanel(long memberId) {
        if (!CurrentStaff.get().hasAnyRole(MEMBER_READERS)) {
            return Optional.empty();
        }
        return Optional.of(compute(memberId, RuleLevel.CATEGORY, DEFAULT_LIMIT));
    }

    private Recommendations compute(long memberId, RuleLevel level, int limit) {
        LocalDate to = today();
        LocalDate since = to.minusMonths(job.windowMonths()).plusDays(1);
        Optional<RuleRun> run = current(level);
        if (run.isEmpty()) {
            return new Recommendations(memberId, level, null, since, List.of(), List.of());
        }
        long runId = run.get().id();
        List<NextBest.Row> best = nextBest.forMember(memberId, level, runId, since, to, limit);
        List<UpSell.Row> offers = upSell.forMember(memberId, runId, since, to, limit);
        Set<Long> itemIds = new LinkedHashSet<>();
        best.forEach(b -> {
            itemIds.add(b.item());
            itemIds.addAll(b.because());
        });
        Map<Long, RuleItem> names = items(level, itemIds);
        Set<Long> categories = new LinkedHashSet<>();
        Set<Long> brands = new LinkedHashSet<>();
        offers.forEach(o -> {
            categories.add(o.categoryId());
            brands.addAll(o.brandIds());
        });
        Map<Long, RuleItem> categoryNames = items(RuleLevel.CATEGORY, categories);
        Map<Long, RuleItem> brandNames = items(RuleLevel.BRAND, brands);
        return new Recommendations(
                memberId,
                level,
                runId,
                since,
                best.stream()
                        .map(b -> new NextBestItem(
                                b.rank(),
                                named(List.of(b.item()), names).get(0),
                                named(b.because(), names),
                                b.confidence().stripTrailingZeros(),
                                b.lift().stripTrailingZeros(),
                                b.score().stripTrailingZeros(),
                                b.ruleId()))
                        .toList(),
                offers.stream()
                        .map(o -> new UpSellOffer(
                                named(List.of(o.categoryId()), categoryNames).get(0),
                                UpSell.yuan(o.typicalFen()),
                                o.band(),
                                o.nextBand(),
                                UpSell.yuan(o.nextFrom()),
                                UpSell.yuan(o.nextTo()),
                                named(o.brandIds(), brandNames)))
                        .toList());
    }

    // ---------------------------------------------------------------- segments

    /** An SQL set of member ids with its named parameters, to use as {@code member_id in (sql)}. */
    public record SqlSet(String sql, Map<String, Object> params) {}

    /**
     * "Members likely to buy X": members whose next best items (latest run of the level, filled
     * after mining) include {@code itemId} from a rule with confidence ≥ {@code minConfidence}.
     * Parameter names are prefixed {@code xsell} so that they do not clash with the caller's.
     */
    public SqlSet membersLikelyToBuy(RuleLevel level, long itemId, BigDecimal minConfidence) {
        BigDecimal c = minConfidence == null ? BigDecimal.ZERO : ratio(minConfidence, "minConfidence", null);
        return new SqlSet(
                "select member_id from insights.member_next_best where level = :xsellLevel and item_id = :xsellItem"
                        + " and confidence >= :xsellMinConfidence",
                Map.of("xsellLevel", level.name(), "xsellItem", itemId, "xsellMinConfidence", c));
    }

    /** How many members {@link #membersLikelyToBuy} holds (head office). */
    @Transactional(readOnly = true)
    public long countMembersLikelyToBuy(RuleLevel level, long itemId, BigDecimal minConfidence) {
        requireHeadOffice();
        SqlSet set = membersLikelyToBuy(level, itemId, minConfidence);
        return jdbc.sql("select count(*) from (" + set.sql() + ") x")
                .params(set.params())
                .query(Long.class)
                .single();
    }
}
