package dev.patron.loyalty;

import dev.patron.members.MemberLookupExtension;
import org.springframework.stereotype.Component;

/** Adds the member's tier and its benefits to the member lookup answer ({@code extras.tier}; one query). */
@Component
class TierLookup implements MemberLookupExtension {

    private final Tiers tiers;

    TierLookup(Tiers tiers) {
        this.tiers = tiers;
    }

    @Override
    public String key() {
        return "tier";
    }

    @Override
    public Object data(long memberId) {
        return tiers.levelOf(memberId);
    }
}
