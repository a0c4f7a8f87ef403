package dev.patron.shared.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLException;
import org.junit.jupiter.api.Test;
import org.springframework.transaction.TransactionSystemException;

/** Which failures count as a database outage (503 + Retry-After) and which stay 500. */
class DatabaseUnavailableTests {

    @Test
    void aRollbackThatFailsBecauseTheServerDiedDuringTheCommitIsAnOutage() {
        // what Spring throws when the commit failed (server shut down) and the rollback after it too
        TransactionSystemException e =
                new TransactionSystemException("JDBC rollback failed", new SQLException("Connection is closed"));
        assertThat(DatabaseUnavailable.is(e)).isTrue();
        assertThat(DatabaseUnavailable.messageKey(e)).isEqualTo("error.database.unavailable");
    }

    @Test
    void connectionStatesAreOutagesAndOtherSqlErrorsAreNot() {
        assertThat(DatabaseUnavailable.is(new SQLException("terminating connection", "57P01")))
                .isTrue();
        assertThat(DatabaseUnavailable.is(new SQLException("could not extend file", "53100")))
                .isTrue();
        assertThat(DatabaseUnavailable.is(new SQLException("syntax error", "42601")))
                .isFalse();
        assertThat(DatabaseUnavailable.is(new SQLException("Connection is closed", "42000")))
                .isFalse();
        assertThat(DatabaseUnavailable.is(
                        new TransactionSystemException("JDBC rollback failed", new SQLException("boom"))))
                .isFalse();
    }
}
