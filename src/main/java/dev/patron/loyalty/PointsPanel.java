package dev.patron.loyalty;

import dev.patron.members.MemberPanel;
import java.util.Optional;
import org.springframework.stereotype.Component;

/** The member's points in the 360 view (and under panels[] of GET /api/v1/members/{id}). */
@Component
class PointsPanel implements MemberPanel {

    private final LoyaltyManagement loyalty;

    PointsPanel(LoyaltyManagement loyalty) {
        this.loyalty = loyalty;
    }

    @Override
    public String key() {
        return "points";
    }

    @Override
    public String titleKey() {
        return "loyalty.panel.title";
    }

    @Override
    public int order() {
        return 200;
    }

    @Override
    public Optional<Object> data(long memberId) {
        return Optional.of(loyalty.balance(memberId));
    }
}
