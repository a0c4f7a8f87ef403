package dev.patron.shared.web;

import java.net.ConnectException;
import java.sql.SQLException;
import org.springframework.dao.CannotAcquireLockException;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.QueryTimeoutException;
import org.springframework.dao.TransientDataAccessException;
import org.springframework.jdbc.CannotGetJdbcConnectionException;
import org.springframework.transaction.CannotCreateTransactionException;
import org.springframework.transaction.TransactionSystemException;

/**
 * Tells a database outage (server down or unreachable, disk full, connection lost) from other
 * failures, so that the API and the console answer 503 with Retry-After instead of 500. Used by
 * {@link ApiExceptionHandler}, {@link PageExceptionHandler} and the API-key filter.
 */
public final class DatabaseUnavailable {

    /** Seconds a client should wait before retrying (Retry-After). */
    public static final String RETRY_AFTER_SECONDS = "5";

    private DatabaseUnavailable() {}

    /** True when {@code e} (or a cause) says the database could not be used right now. */
    public static boolean is(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof CannotGetJdbcConnectionException
                    || t instanceof CannotCreateTransactionException
                    || t instanceof DataAccessResourceFailureException
                    || t instanceof QueryTimeoutException
                    || t instanceof TransientDataAccessException
                    || t instanceof ConnectException
                    || (t instanceof TransactionSystemException tse
                            && (unreachable(t) || unreachable(tse.getApplicationException())))
                    || (t instanceof SQLException sql && isOutage(sql))) {
                return true;
            }
        }
        return false;
    }

    /**
     * The message: "database unreachable" when the cause chain shows a refused or lost connection or
     * a full disk (SQL states 08*, 53*, 57P*), otherwise "busy" (pool exhausted, lock wait).
     */
    public static String messageKey(Throwable e) {
        if (e instanceof CannotAcquireLockException) {
            return "error.unavailable";
        }
        return unreachable(e) ? "error.database.unavailable" : "error.unavailable";
    }

    private static boolean unreachable(Throwable e) {
        if (e instanceof TransactionSystemException tse && tse.getApplicationException() != null) {
            if (unreachable(tse.getApplicationException())) {
                return true;
            }
        }
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            // CannotGetJdbcConnectionException is a DataAccessResourceFailureException too, but alone
            // (pool timeout without a refused connection below it) it means "busy", not "down"
            if (t instanceof ConnectException
                    || (t instanceof DataAccessResourceFailureException
                            && !(t instanceof CannotGetJdbcConnectionException))
                    || (t instanceof SQLException sql && isOutage(sql))) {
                return true;
            }
        }
        return false;
    }

    /**
     * An outage SQL state, or the pool's "Connection is closed" without a state: what a rollback
     * reports when the server died during the commit before it (the commit's own failure is then
     * only logged, and the sale's outcome is unknown: the client must retry, and may, as tickets
     * are idempotent).
     */
    private static boolean isOutage(SQLException sql) {
        return isOutageState(sql.getSQLState())
                || (sql.getSQLState() == null && "Connection is closed".equals(sql.getMessage()));
    }

    /** 08: connection exception; 53: insufficient resources (disk full, out of memory); 57P: server shut down. */
    private static boolean isOutageState(String state) {
        return state != null && (state.startsWith("08") || state.startsWith("53") || state.startsWith("57P"));
    }
}
