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
}
