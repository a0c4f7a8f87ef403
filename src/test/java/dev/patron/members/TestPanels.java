package dev.patron.members;

import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.stereotype.Component;

/**
 * Panels as a later module would contribute them (found by component scanning in the test
 * application). They answer only for member ids a test registered, so other tests see no change.
 */
final class TestPanels {

    static final Set<Long> ECHO = ConcurrentHashMap.newKeySet();
    static final Set<Long> FAILING = ConcurrentHashMap.newKeySet();
    static final Set<Long> FAILING_SQL = ConcurrentHashMap.newKeySet();

    private TestPanels() {}

    @Component
    static class EchoPanel implements MemberPanel {
        @Override
        public String key() {
            return "test-points";
        }

        @Override
        public String titleKey() {
            return "test.points";
        }

        @Override
        public int order() {
            return 100;
        }

        @Override
        public Optional<Object> data(long memberId) {
            return ECHO.contains(memberId)
                    ? Optional.of(Map.of("balance", 1200, "memberId", memberId))
                    : Optional.empty();
        }
    }

    @Component
    static class FailingPanel implements MemberPanel {
        @Override
        public String key() {
            return "test-broken";
        }

        @Override
        public String titleKey() {
            return "test.broken";
        }

        @Override
        public int order() {
            return 50;
        }

        @Override
        public Optional<Object> data(long memberId) {
            if (FAILING.contains(memberId)) {
                throw new IllegalStateException("the contributing module is down");
            }
            return Optional.empty();
        }
    }

    /** A panel whose transactional query fails, as a module's panel reading a missing table would. */
    @Component
    static class FailingSqlPanel implements MemberPanel {

        private final org.springframework.jdbc.core.simple.JdbcClient jdbc;

        FailingSqlPanel(org.springframework.jdbc.core.simple.JdbcClient jdbc) {
            this.jdbc = jdbc;
        }

        @Override
        public String key() {
            return "test-broken-sql";
        }

        @Override
        public String titleKey() {
            return "test.broken";
        }

        @Override
        public int order() {
            return 60;
        }

        @Override
        @org.springframework.transaction.annotation.Transactional(readOnly = true)
        public Optional<Object> data(long memberId) {
            if (FAILING_SQL.contains(memberId)) {
                return Optional.of(jdbc.sql("select * from no_such_schema.no_such_table")
                        .query()
                        .listOfRows());
            }
            return Optional.empty();
        }
    }
}
