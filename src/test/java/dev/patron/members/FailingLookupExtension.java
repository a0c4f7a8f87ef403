package dev.patron.members;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * A lookup extension for {@link MemberLookupExtensionFailureTests}: inert (no query, no data) except
 * for the one member a test names, for whom it runs a statement PostgreSQL rejects (division by zero).
 * By default it reads on its own ({@link #entries}); with {@link #FRAGMENT} set it offers that SQL as
 * its part of the lookup's one statement instead ({@code %s}: the member id expression).
 */
@Component
class FailingLookupExtension implements MemberLookupExtension {

    static final AtomicLong FAIL_FOR = new AtomicLong(-1);

    /** How often it ran its failing statement on its own. */
    static final java.util.concurrent.atomic.AtomicInteger FAILED = new java.util.concurrent.atomic.AtomicInteger();

    /** The fragment's select, or null: no fragment. */
    static final AtomicReference<String> FRAGMENT = new AtomicReference<>();

    /** A fragment that divides by zero for the member {@link #FAIL_FOR} names. */
    static final String DIVIDES_BY_ZERO = "select 1 / (case when %s = ? then 0 else 1 end) as failing_in_tests_value";

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

    @Override
    public Optional<Fragment> fragment() {
        String sql = FRAGMENT.get();
        if (sql == null) {
            return Optional.empty();
        }
        List<Object> params = sql.contains("?") ? List.of(FAIL_FOR.get()) : List.of();
        return Optional.of(new Fragment(id -> sql.formatted(id), params, (id, rs) -> Map.of()));
    }
}
