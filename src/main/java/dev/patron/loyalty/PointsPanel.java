package dev.patron.loyalty;

import dev.patron.members.MemberPanel;
import java.util.Optional;
import org.springframework.stereotype.Component;

/** The member's points in the 360 view (and under panels[] of GET /api/v1/members/{id}). */
@Component
class PointsPanel implements MemberPanel {

    private final LoyaltyManagement loyalty;
    private final dev.patron.members.MemberReferences members;

    PointsPanel(LoyaltyManagement loyalty, dev.patron.members.MemberReferences members) {
        this.loyalty = loyalty;
        this.members = members;
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
    public String template() {
        return "loyalty/points-panel :: panel";
    }

    @Override
    public Optional<Object> data(long memberId) {
        // merged and erased members have no points of their own: no panel rather than an error
        Long active = members.activeIds(java.util.List.of(memberId)).get(memberId);
        if (active == null || active != memberId) {
            return Optional.empty();
        }
        return Optional.of(loyalty.balanceOf(memberId));
    }
}
