package dev.patron.members;

import java.util.concurrent.atomic.AtomicLong;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * A lookup extension for {@link MemberLookupExtensionFailureTests}: inert (no query, no data) except
 * for the one member a test names, for whom it runs a statement PostgreSQL rejects (division by zero).
 */
@Component
class FailingLookupExtension implements MemberLookupExtension {

    static final AtomicLong FAIL_FOR = new AtomicLong(-1);

    /** How often it ran its failing statement. */
    static final java.util.concurrent.atomic.AtomicInteger FAILED = new java.util.concurrent.atomic.AtomicInteger();

    private final JdbcClient jdbc;

    FailingLookupExtension(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public String key() {
        return "failingInTests";
    }

    @Override
    public Object data(long memberId) {
        if (memberId != FAIL_FOR.get()) {
            return null;
        }
        FAILED.incrementAndGet();
        return jdbc.sql("select 1 / (? - ?)")
                .params(memberId, memberId)
                .query(Integer.class)
                .single();
    }
}
