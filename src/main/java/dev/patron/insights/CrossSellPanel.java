package dev.patron.insights;

import dev.patron.members.MemberPanel;
import java.util.Optional;
import org.springframework.stereotype.Component;

/**
 * "Recommended" in the member 360 view (and in the panels of GET /api/v1/members/{id}): next best
 * categories from the current category-level rules and up-sell offers, for the staff who sell
 * (every role that reads recommendations; empty for others).
 */
@Component
class CrossSellPanel implements MemberPanel {

    private final AssociationRules rules;

    CrossSellPanel(AssociationRules rules) {
        this.rules = rules;
    }

    @Override
    public String key() {
        return "recommended";
    }

    @Override
    public String titleKey() {
        return "xsell.panel.title";
    }

    @Override
    public int order() {
        return 260;
    }

    @Override
    public String template() {
        return "insights/rules-panel :: panel";
    }

    /** A profile of the member (PRV-09): not shown when the member switched personalisation off. */
    @Override
    public boolean profiling() {
        return true;
    }

    @Override
    public Optional<Object> data(long memberId) {
        return rules.forPanel(memberId).map(r -> r);
    }
}
