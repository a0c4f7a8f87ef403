package dev.patron.loyalty;

import dev.patron.members.MemberLookupExtension;
import org.springframework.stereotype.Component;

/** Adds the member's points (balance, spendable, pending, debt) to the member lookup answer ({@code extras.points}). */
@Component
class PointsLookup implements MemberLookupExtension {

    private final LoyaltyManagement loyalty;

    PointsLookup(LoyaltyManagement loyalty) {
        this.loyalty = loyalty;
    }

    @Override
    public String key() {
        return "points";
    }

    @Override
    public Object data(long memberId) {
        return loyalty.balanceOf(memberId);
    }
}
