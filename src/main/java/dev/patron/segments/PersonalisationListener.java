package dev.patron.segments;

import dev.patron.members.PersonalisationChanged;
import java.util.List;
import org.springframework.modulith.events.ApplicationModuleListener;
import org.springframework.stereotype.Component;

/**
 * PRV-09: when a member switches personalisation off (or on again), the member is re-evaluated
 * against every rule segment, so segments with personal conditions drop (or take back) the member
 * at once instead of at the next refresh. Idempotent like every re-evaluation.
 */
@Component
class PersonalisationListener {

    private final SegmentRefresh refresh;

    PersonalisationListener(SegmentRefresh refresh) {
        this.refresh = refresh;
    }

    @ApplicationModuleListener
    void on(PersonalisationChanged event) {
        refresh.reevaluate(List.of(event.memberId()));
    }
}
