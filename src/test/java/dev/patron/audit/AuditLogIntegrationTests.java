package dev.patron.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patron.PatronIntegrationTest;
import dev.patron.TestData;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;

/** How audit rows of reads and of changes commit (the row is written either way). */
@PatronIntegrationTest
class AuditLogIntegrationTests {

    @Autowired
    AuditLog audit;

    @Autowired
    JdbcClient jdbc;

    @Autowired
    TransactionTemplate tx;

    @Autowired
    org.springframework.transaction.PlatformTransactionManager transactions;

    /** The test server runs with synchronous_commit off; each transaction here starts as production's do. */
    private void durable() {
        jdbc.sql("set local synchronous_commit = on").update();
    }

    private String synchronousCommit() {
        return jdbc.sql("show synchronous_commit").query(String.class).single();
    }

    private long rows(String entityId) {
        return jdbc.sql("select count(*) from audit.audit_event where entity_id = ?")
                .param(entityId)
                .query(Long.class)
                .single();
    }

    @Test
    void byDefaultAReadAuditIsDurableLikeAnyOther() {
        String id = TestData.unique("read");
        String during = tx.execute(t -> {
            durable();
            audit.recordRead("member.viewed", "member", id, Map.of("view", "test"));
            return synchronousCommit();
        });
        assertThat(during).isEqualTo("on");
        assertThat(rows(id)).isEqualTo(1);
    }

    @Test
    void withDurableReadsOffAReadAuditInATransactionThatWroteNothingCommitsWithoutWaitingForTheDisk() {
        AuditLog audit = new AuditLog(jdbc, false, transactions);
        String id = TestData.unique("read");
        String during = tx.execute(t -> {
            durable();
            audit.recordRead("member.viewed", "member", id, Map.of("view", "test"));
            return synchronousCommit();
        });
        assertThat(during).isEqualTo("off");
        assertThat(rows(id)).isEqualTo(1);
    }

    @Test
    void withDurableReadsOffAReadAuditAfterAWriteLeavesTheTransactionDurable() {
        AuditLog audit = new AuditLog(jdbc, false, transactions);
        String first = TestData.unique("change");
        String read = TestData.unique("read");
        String during = tx.execute(t -> {
            durable();
            audit.record("member.updated", "member", first, Map.of());
            audit.recordRead("member.viewed", "member", read, Map.of("view", "test"));
            return synchronousCommit();
        });
        assertThat(during).isEqualTo("on");
        assertThat(rows(first)).isEqualTo(1);
        assertThat(rows(read)).isEqualTo(1);
    }

    @Test
    void outsideATransactionAReadAuditCommitsByItselfBeforeItReturns() {
        String id = TestData.unique("now");
        audit.recordReadNow("member.viewed", "member", id, Map.of("view", "lookup"));
        assertThat(rows(id)).isEqualTo(1);
        String relaxed = TestData.unique("now");
        new AuditLog(jdbc, false, transactions)
                .recordReadNow("member.viewed", "member", relaxed, Map.of("view", "lookup"));
        assertThat(rows(relaxed)).isEqualTo(1);
    }

    @Test
    void insideATransactionAReadAuditNowGoesWithTheTransaction() {
        String kept = TestData.unique("now");
        String rolledBack = TestData.unique("now");
        tx.executeWithoutResult(t -> audit.recordReadNow("member.viewed", "member", kept, Map.of()));
        tx.executeWithoutResult(t -> {
            audit.recordReadNow("member.viewed", "member", rolledBack, Map.of());
            assertThat(rows(rolledBack)).isEqualTo(1);
            t.setRollbackOnly();
        });
        assertThat(rows(kept)).isEqualTo(1);
        assertThat(rows(rolledBack)).isZero();
    }
}
