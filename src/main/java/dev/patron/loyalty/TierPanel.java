package dev.patron.loyalty;

import dev.patron.members.MemberPanel;
import dev.patron.members.MemberReferences;
import dev.patron.shared.security.CurrentStaff;
import dev.patron.shared.security.Role;
import java.math.BigDecimal;
import java.util.List;
import java.util.Optional;
import org.springframework.stereotype.Component;

/**
 * The member's tier in the 360 view (and under panels[] of GET /api/v1/members/{id}): current
 * level and benefits, progress to the next level ("spend ¥X more by DATE"), review date, override,
 * history, and the override form for ADMIN and STORE_MANAGER (the 360 view already checked that
 * the member is in the caller's stores).
 */
@Component
class TierPanel implements MemberPanel {

    /** What the panel shows; amounts in yuan for SPEND (exact, from fen), points otherwise. */
    record View(
            MemberTier tier,
            BigDecimal figure,
            BigDecimal stillNeeded,
            int progressPercent,
            boolean canOverride,
            List<TierLevel> levels) {}

    private final Tiers tiers;
    private final MemberReferences members;

    TierPanel(Tiers tiers, MemberReferences members) {
        this.tiers = tiers;
        this.members = members;
    }

    @Override
    public String key() {
        return "tier";
    }

    @Override
    public String titleKey() {
        return "tiers.panel.title";
    }

    @Override
    public int order() {
        return 190;
    }

    @Override
    public String template() {
        return "loyalty/tiers-panel :: panel";
    }

    @Override
    public Optional<Object> data(long memberId) {
        Long active = members.activeIds(List.of(memberId)).get(memberId);
        if (active == null || active != memberId) {
            return Optional.empty();
        }
        MemberTier t = tiers.tierOf(memberId);
        boolean spend = "SPEND".equals(t.basis());
        int percent = 100;
        if (t.next() != null) {
            long from = t.tier().threshold();
            long span = t.next().threshold() - from;
            long done = Math.max(0, Math.min(span, t.figure() - from));
            percent = span <= 0 ? 100 : (int) (done * 100 / span);
        }
        return Optional.of(new View(
                t,
                amount(t.figure(), spend),
                t.stillNeeded() == null ? null : amount(t.stillNeeded(), spend),
                percent,
                CurrentStaff.get().hasAnyRole(Role.ADMIN, Role.STORE_MANAGER),
                tiers.levels()));
    }

    static BigDecimal amount(long value, boolean fen) {
        return fen ? BigDecimal.valueOf(value, 2) : BigDecimal.valueOf(value);
    }
}
