package dev.patron.shared.db;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patron.PatronIntegrationTest;
import dev.patron.TestDatabase;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/** Only the outbox registry's own transactions commit without waiting for the WAL flush. */
@PatronIntegrationTest
class OutboxAwareTransactionManagerTests {

    @Autowired
    PlatformTransactionManager applicationTransactions;

    @Test
    void registryBookkeepingIsAsynchronousEverythingElseDurable() {
        assertThat(applicationTransactions).isInstanceOf(OutboxAwareTransactionManager.class);
        var server = TestDatabase.server();
        // one connection whose session default is durable (the test server itself runs without fsync)
        var ds = new SingleConnectionDataSource(
                server.jdbcUrl() + "?options=-c%20synchronous_commit%3Don", server.user(), "", true);
        try {
            var manager = new OutboxAwareTransactionManager(ds);
            JdbcClient jdbc = JdbcClient.create(ds);
            assertThat(syncCommitIn(manager, jdbc, OutboxAwareTransactionManager.REGISTRY_PREFIX + "markCompleted"))
                    .isEqualTo("off");
            // SET LOCAL ends with the transaction: the same connection is durable again
            assertThat(syncCommitIn(manager, jdbc, "dev.patron.sales.SalesManagement.record"))
                    .isEqualTo("on");
            assertThat(syncCommitIn(manager, jdbc, null)).isEqualTo("on");
            String relaxed = new TransactionTemplate(manager).execute(s -> {
                OutboxAwareTransactionManager.relaxDurabilityOfThisTransaction(jdbc);
                return jdbc.sql("show synchronous_commit").query(String.class).single();
            });
            assertThat(relaxed).isEqualTo("off");
            assertThat(syncCommitIn(manager, jdbc, "anything")).isEqualTo("on");
        } finally {
            ds.destroy();
        }
    }

    private static String syncCommitIn(PlatformTransactionManager manager, JdbcClient jdbc, String name) {
        TransactionTemplate tx = new TransactionTemplate(manager);
        tx.setName(name);
        return tx.execute(
                s -> jdbc.sql("show synchronous_commit").query(String.class).single());
    }
}
