package dev.patron.segments;

import dev.patron.insights.MemberValuesScored;
import dev.patron.insights.NextBestRefreshed;
import dev.patron.insights.RuleLevel;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.modulith.events.ApplicationModuleListener;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.json.JsonMapper;

/**
 * When the insights models rewrite their outputs for every member at once (a value-model fit or
 * rescoring: {@link MemberValuesScored}; a mining run's next best items: {@link NextBestRefreshed}),
 * the per-member incremental path does not apply: the rule segments whose definitions use the
 * changed fields get a full refresh each (in its own transaction, cause REFRESH), the others are
 * left alone. Delivered through the outbox after commit; idempotent (a second refresh changes
 * nothing).
 */
@Component
class ModelSegmentListeners {

    private static final Logger log = LoggerFactory.getLogger(ModelSegmentListeners.class);

    private final JdbcClient jdbc;
    private final SegmentRefresh refresh;
    private final TransactionTemplate tx;
    private final JsonMapper json;

    ModelSegmentListeners(
            JdbcClient jdbc, SegmentRefresh refresh, PlatformTransactionManager transactions, JsonMapper json) {
        this.jdbc = jdbc;
        this.refresh = refresh;
        // each segment in its own transaction, also when called inside the listener's
        this.tx = new TransactionTemplate(transactions);
        this.tx.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
        this.json = json;
    }

    @ApplicationModuleListener
    void on(MemberValuesScored event) {
        int n = refreshUsing(SegmentField.VALUE_MODEL);
        log.info(
                "Value model {} scored {} members: {} segments using its values refreshed",
                event.fitId(),
                event.members(),
                n);
    }

    @ApplicationModuleListener
    void on(NextBestRefreshed event) {
        SegmentField field = event.level() == RuleLevel.BRAND ? SegmentField.likelyBrand : SegmentField.likelyCategory;
        int n = refreshUsing(EnumSet.of(field));
        log.info("Next best {} of run {}: {} segments using them refreshed", event.level(), event.runId(), n);
    }

    /** Full refresh, as of today, of every live rule segment with a condition on one of {@code fields}. */
    int refreshUsing(Set<SegmentField> fields) {
        List<Object[]> rows = jdbc.sql("""
                select id, definition::text from segments.segment where kind = 'RULE' and deleted_at is null
                order by id""")
                .query((rs, i) -> new Object[] {rs.getLong(1), rs.getString(2)})
                .list();
        LocalDate today = refresh.today();
        int n = 0;
        for (Object[] row : rows) {
            long id = (Long) row[0];
            try {
                SegmentDefinition d = json.readValue((String) row[1], SegmentDefinition.class);
                if (!uses(d, fields)) {
                    continue;
                }
                tx.executeWithoutResult(s -> refresh.refresh(id, today, "REFRESH"));
                n++;
            } catch (RuntimeException e) {
                log.error("Segment {} could not be refreshed after a model run", id, e);
            }
        }
        return n;
    }

    /** Whether a condition anywhere in the definition is on one of {@code fields}. */
    static boolean uses(SegmentDefinition d, Set<SegmentField> fields) {
        if (d == null || d.root() == null) {
            return false;
        }
        List<SegmentDefinition.Node> todo = new ArrayList<>(List.of(d.root()));
        while (!todo.isEmpty()) {
            SegmentDefinition.Node n = todo.remove(todo.size() - 1);
            if (n == null) {
                continue;
            }
            if (n.groupNode()) {
                if (n.items() != null) {
                    todo.addAll(n.items());
                }
            } else if (fields.contains(SegmentField.of(n.field()))) {
                return true;
            }
        }
        return false;
    }
}
