package dev.patron.loyalty;

import dev.patron.members.MemberLookupExtension;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Adds the member's points ({@code extras.points}: balance, spendable, pending, debt, expiring
 * months, pooling) and tier with its benefits ({@code extras.tier}) to the member lookup answer, in
 * one statement: {@link LoyaltyManagement#balanceOf}'s with {@link Tiers#levelOf}'s joined laterally
 * (the till's hot path pays one round trip for both).
 */
@Component
class LoyaltyLookup implements MemberLookupExtension {

    private static final String SQL = "select tl.*, b.* from (" + LoyaltyManagement.BALANCE_OF
            + ") b cross join lateral (" + Tiers.levelOf("b.balance_member_id") + ") tl";

    private final JdbcClient jdbc;

    LoyaltyLookup(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public String key() {
        return "loyalty";
    }

    @Override
    public Map<String, ?> entries(long memberId) {
        return jdbc.sql(SQL)
                .params(LoyaltyManagement.today(), memberId)
                .query((rs, n) -> {
                    Map<String, Object> entries = new LinkedHashMap<>();
                    entries.put("points", LoyaltyManagement.balance(memberId, rs));
                    entries.put("tier", Tiers.level(rs, n));
                    return entries;
                })
                .optional()
                .orElse(new LinkedHashMap<>());
    }
}
