package dev.patron.shared.db;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;
import org.springframework.jdbc.support.JdbcTransactionManager;
import org.springframework.transaction.TransactionDefinition;

/**
 * The JDBC transaction manager, with one refinement for the transactional outbox: the bookkeeping
 * transactions of Spring Modulith's event publication registry (marking a publication as being
 * processed, completed or failed, each in its own transaction) commit with
 * {@code synchronous_commit = off}. Losing such a commit in a crash only means the event is
 * delivered again at start-up, and every listener is idempotent; waiting for three extra WAL
 * flushes per event and listener would instead halve POS throughput. Every other transaction —
 * recording a sale, a point, a consent — stays fully durable. Listeners whose own work is equally
 * re-doable may opt in with {@link #relaxDurabilityOfThisTransaction}. See docs/adr/0007.
 */
public class OutboxAwareTransactionManager extends JdbcTransactionManager {

    static final String REGISTRY_PREFIX = "org.springframework.modulith.events.core.DefaultEventPublicationRegistry.";

    /**
     * Transactions whose name ends with this commit without waiting for the WAL flush, like the
     * registry's: for consumers that delete their delivery in the same transaction as their
     * idempotent work (the sales feed), so a lost commit only means the delivery is redone.
     */
    public static final String RELAXED_DURABILITY = "#relaxed-durability";

    public OutboxAwareTransactionManager(DataSource dataSource) {
        super(dataSource);
    }

    @Override
    protected void prepareTransactionalConnection(Connection con, TransactionDefinition definition)
            throws SQLException {
        super.prepareTransactionalConnection(con, definition);
        String name = definition.getName();
        if (name != null && (name.startsWith(REGISTRY_PREFIX) || name.endsWith(RELAXED_DURABILITY))) {
            try (Statement s = con.createStatement()) {
                s.execute("set local synchronous_commit = off");
            }
        }
    }

    /**
     * For idempotent outbox listeners only: lets the current transaction commit without waiting for
     * the WAL flush. If the process dies right after, the work is lost together with the
     * publication's completion, so the event is delivered again and the work redone.
     */
    public static void relaxDurabilityOfThisTransaction(org.springframework.jdbc.core.simple.JdbcClient jdbc) {
        jdbc.sql("set local synchronous_commit = off").update();
    }
}
