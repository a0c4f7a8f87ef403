package dev.patron.segments;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.springframework.modulith.events.ApplicationModuleListener;
import org.springframework.stereotype.Component;

/** Test listener: every MemberFactsChanged delivered through the outbox. */
@Component
class FactsChangedProbe {

    private final List<List<Long>> seen = new CopyOnWriteArrayList<>();

    @ApplicationModuleListener
    void on(MemberFactsChanged e) {
        seen.add(e.memberIds());
    }

    long timesSeen(long memberId) {
        return seen.stream().filter(ids -> ids.contains(memberId)).count();
    }
}
