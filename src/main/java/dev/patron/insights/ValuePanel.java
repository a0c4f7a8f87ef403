package dev.patron.insights;

import dev.patron.shared.security.CurrentStaff;
import java.util.Optional;
import org.springframework.stereotype.Component;

/**
 * "Value" in the member 360 view (and under panels[] of GET /api/v1/members/{id}): P(alive),
 * expected purchase days in the next 52 weeks, expected spend per purchase day, 12-month value and
 * CLV by the current model. Shown to the roles that may read a member's value (the 360 view
 * already checked that the member is in the caller's stores); empty without a model.
 */
@Component
class ValuePanel implements dev.patron.members.MemberPanel {

    private final ValueModel model;

    ValuePanel(ValueModel model) {
        this.model = model;
    }

    @Override
    public String key() {
        return "value";
    }

    @Override
    public String titleKey() {
        return "value.panel.title";
    }

    @Override
    public int order() {
        return 260;
    }

    @Override
    public String template() {
        return "insights/value-panel :: panel";
    }

    /** A profile of the member (PRV-09): not shown when the member switched personalisation off. */
    @Override
    public boolean profiling() {
        return true;
    }

    @Override
    public Optional<Object> data(long memberId) {
        if (!CurrentStaff.get().hasAnyRole(ValueModel.VALUE_READERS)) {
            return Optional.empty();
        }
        return model.valueOf(memberId, 52).map(v -> v);
    }
}
