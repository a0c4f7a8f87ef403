package dev.patron.insights;

import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.sql.DataSource;
import org.postgresql.PGConnection;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceUtils;
import org.springframework.stereotype.Component;

/**
 * Next best categories / brands: the rules whose antecedent the member bought (SALE lines kept, in
 * the window) and whose consequent they did not; per consequent the best rule counts, ranked by
 * score = confidence × lift (confidence alone favours items everybody buys anyway, lift alone
 * favours rare pairs; the product prefers rules that are both likely and specific), then
 * confidence, then item id.
 *
 * <p>{@link #fill} computes it for every active member after a mining run and replaces the level's
 * rows of {@code insights.member_next_best} (streamed member by member, written with COPY), so that
 * segments can ask "members likely to buy X" in SQL; {@link #forMember} computes it live for one
 * member with the same rules and ranking.
 */
@Component
class NextBest {

    private final JdbcClient jdbc;
    private final DataSource dataSource;

    NextBest(JdbcClient jdbc, DataSource dataSource) {
        this.jdbc = jdbc;
        this.dataSource = dataSource;
    }

    private record RuleRef(
            long id, long[] antecedent, long consequent, BigDecimal confidence, BigDecimal lift, BigDecimal score) {}

    private record Pick(long item, RuleRef rule) {}

    static final Comparator<Pick> RANKING = Comparator.<Pick, BigDecimal>comparing(
                    p -> p.rule().score())
            .reversed()
            .thenComparing(p -> p.rule().confidence(), Comparator.reverseOrder())
            .thenComparingLong(Pick::item);

    /** Items bought by members: SALE lines not returned in full, in the window, active members only. */
    private static String memberItemsSql(RuleLevel level, String memberFilter) {
        String col = "l." + level.column();
        return "select s.member_id, " + col + " as item from sales.v_sale s"
                + " join sales.v_sale_line l on l.sale_id = s.id"
                + " join members.v_member m on m.id = s.member_id and m.status = 'ACTIVE' and not m.no_personalisation"
                + " where s.kind = 'SALE' and l.quantity > 0 and l.returned_quantity < l.quantity and " + col
                + " is not null and s.business_date between ? and ?" + memberFilter;
    }

    /**
     * Replaces the level's next-best rows with those of {@code runId}; runs in the caller's
     * transaction. Returns the number of members with at least one recommendation.
     */
    long fill(long runId, RuleLevel level, LocalDate since, LocalDate to, int perMember) {
        Map<Long, List<RuleRef>> byFirst = new HashMap<>();
        jdbc.sql("""
                select id, antecedent, consequent[1], confidence, lift, round(confidence * lift, 6)
                from insights.association_rule where run_id = ?""").param(runId).query(rs -> {
            Long[] a = (Long[]) rs.getArray(2).getArray();
            long[] ante = new long[a.length];
            for (int i = 0; i < a.length; i++) {
                ante[i] = a[i];
            }
            RuleRef r = new RuleRef(
                    rs.getLong(1), ante, rs.getLong(3), rs.getBigDecimal(4), rs.getBigDecimal(5), rs.getBigDecimal(6));
            byFirst.computeIfAbsent(ante[0], k -> new ArrayList<>()).add(r);
        });
        jdbc.sql("delete from insights.member_next_best where level = ?")
                .param(level.name())
                .update();
        if (byFirst.isEmpty()) {
            return 0;
        }
        StringBuilder copy = new StringBuilder();
        long[] members = {0};
        long[] current = {Long.MIN_VALUE};
        Set<Long> items = new HashSet<>();
        Runnable flushMember = () -> {
            if (current[0] != Long.MIN_VALUE && !items.isEmpty()) {
                List<Pick> picks = recommend(items, byFirst, perMember);
                for (int i = 0; i < picks.size(); i++) {
                    Pick p = picks.get(i);
                    copy.append(level.name())
                            .append('\t')
                            .append(current[0])
                            .append('\t')
                            .append(p.item())
                            .append('\t')
                            .append(runId)
                            .append('\t')
                            .append(i + 1)
                            .append('\t')
                            .append(p.rule().score().toPlainString())
                            .append('\t')
                            .append(p.rule().confidence().toPlainString())
                            .append('\t')
                            .append(p.rule().lift().toPlainString())
                            .append('\t')
                            .append(p.rule().id())
                            .append('\n');
                }
                if (!picks.isEmpty()) {
                    members[0]++;
                }
            }
            items.clear();
        };
        // read on a connection of its own (a cursor), write on the transaction's connection
        try (Connection rc = dataSource.getConnection()) {
            rc.setAutoCommit(false);
            rc.setReadOnly(true);
            try (var ps = rc.prepareStatement("select member_id, item from (" + memberItemsSql(level, "")
                    + " group by 1, 2) x order by member_id")) {
                ps.setFetchSize(BasketSource.FETCH_SIZE);
                ps.setObject(1, since);
                ps.setObject(2, to);
                try (var rs = ps.executeQuery()) {
                    while (rs.next()) {
                        long member = rs.getLong(1);
                        if (member != current[0]) {
                            flushMember.run();
                            current[0] = member;
                            if (copy.length() > 4_000_000) {
                                copy(copy);
                            }
                        }
                        items.add(rs.getLong(2));
                    }
                }
            } finally {
                rc.rollback();
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Reading the members' purchases failed", e);
        }
        flushMember.run();
        copy(copy);
        return members[0];
    }

    private static List<Pick> recommend(Set<Long> items, Map<Long, List<RuleRef>> byFirst, int limit) {
        Map<Long, Pick> best = new HashMap<>();
        for (long item : items) {
            List<RuleRef> candidates = byFirst.get(item);
            if (candidates == null) {
                continue;
            }
            next:
            for (RuleRef r : candidates) {
                if (items.contains(r.consequent())) {
                    continue;
                }
                for (long a : r.antecedent()) {
                    if (!items.contains(a)) {
                        continue next;
                    }
                }
                Pick p = new Pick(r.consequent(), r);
                Pick old = best.get(r.consequent());
                if (old == null || better(p, old)) {
                    best.put(r.consequent(), p);
                }
            }
        }
        return best.values().stream().sorted(RANKING).limit(limit).toList();
    }

    /** The best rule for one consequent: higher score, then higher confidence, then lower rule id. */
    private static boolean better(Pick a, Pick b) {
        int c = a.rule().score().compareTo(b.rule().score());
        if (c != 0) {
            return c > 0;
        }
        c = a.rule().confidence().compareTo(b.rule().confidence());
        if (c != 0) {
            return c > 0;
        }
        return a.rule().id() < b.rule().id();
    }

    private void copy(StringBuilder rows) {
        if (rows.isEmpty()) {
            return;
        }
        Connection c = DataSourceUtils.getConnection(dataSource); // the transaction's connection
        try {
            c.unwrap(PGConnection.class)
                    .getCopyAPI()
                    .copyIn(
                            "copy insights.member_next_best (level, member_id, item_id, run_id, rank, score, confidence,"
                                    + " lift, rule_id) from stdin",
                            new StringReader(rows.toString()));
        } catch (SQLException e) {
            throw new IllegalStateException("COPY into insights.member_next_best failed", e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            DataSourceUtils.releaseConnection(c, dataSource);
        }
        rows.setLength(0);
    }

    /** A rule chosen for one member: the rule, the consequent, the rank. */
    record Row(
            int rank,
            long item,
            List<Long> because,
            BigDecimal confidence,
            BigDecimal lift,
            BigDecimal score,
            long ruleId) {}

    /** The member's next best items from run {@code runId}, live, ranked as {@link #fill} ranks them. */
    List<Row> forMember(long memberId, RuleLevel level, long runId, LocalDate since, LocalDate to, int limit) {
        String items = memberItemsSql(level, " and s.member_id = ?");
        return jdbc.sql("with mine as (select coalesce(array_agg(distinct item), '{}') as items from (" + items
                        + ") x),"
                        + """
                         candidates as (
                             select distinct on (r.consequent[1]) r.consequent[1] as item, r.antecedent, r.confidence,
                                    r.lift, round(r.confidence * r.lift, 6) as score, r.id
                             from insights.association_rule r, mine
                             where r.run_id = ? and r.antecedent <@ mine.items and not (r.consequent <@ mine.items)
                             order by r.consequent[1], round(r.confidence * r.lift, 6) desc, r.confidence desc, r.id)
                         select item, antecedent, confidence, lift, score, id from candidates
                         order by score desc, confidence desc, item limit ?""")
                .params(since, to, memberId, runId, limit)
                .query((rs, n) -> new Row(
                        n + 1,
                        rs.getLong(1),
                        List.of((Long[]) rs.getArray(2).getArray()),
                        rs.getBigDecimal(3),
                        rs.getBigDecimal(4),
                        rs.getBigDecimal(5),
                        rs.getLong(6)))
                .list();
    }
}
