package dev.patron.segments;

import dev.patron.members.MemberPanel;
import dev.patron.shared.security.CurrentStaff;
import java.util.Optional;
import org.springframework.stereotype.Component;

/**
 * The "Facts &amp; RFM" panel of the member 360 view (under {@code panels[]} with key {@code facts}):
 * the member's facts (first/last purchase, purchase days, tickets, spend over 12 months and
 * lifetime, average ticket and interval, favourite brand, category and store, returns) and their RFM
 * cell with its strategy and the quintile scores. Chain-wide figures, so shown to staff with all
 * stores only; staff of some stores see the purchase panel of their stores. Two indexed reads.
 */
@Component
class FactsPanel implements MemberPanel {

    private final MemberFacts facts;

    FactsPanel(MemberFacts facts) {
        this.facts = facts;
    }

    @Override
    public String key() {
        return "facts";
    }

    @Override
    public String titleKey() {
        return "facts.panel.title";
    }

    @Override
    public int order() {
        return 205;
    }

    @Override
    public String template() {
        return "segments/facts-panel :: panel";
    }

    @Override
    public Optional<Object> data(long memberId) {
        if (!CurrentStaff.scope().allStores()) {
            return Optional.empty();
        }
        MemberFactSheet.Facts f = facts.facts(memberId).orElse(null);
        MemberFactSheet.Rfm r = facts.rfm(memberId).orElse(null);
        if (f == null && r == null) {
            return Optional.empty();
        }
        return Optional.of(new MemberFactSheet(memberId, f, r));
    }
}
