package dev.patron.loyalty;

import dev.patron.members.MemberLookupExtension;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Adds the member's points ({@code extras.points}: balance, spendable, pending, debt, expiring
 * months, pooling) and tier with its benefits ({@code extras.tier}) to the member lookup answer, in
 * one statement: {@link LoyaltyManagement#balanceOf}'s with {@link Tiers#levelOf}'s joined laterally.
 * The lookup joins that statement into its own ({@link #fragment}): the till's hot path pays one
 * round trip for the member, their points and tier.
 */
@Component
class LoyaltyLookup implements MemberLookupExtension {

    private static final String SQL = select("?");

    private static String select(String memberId) {
        return "select b.*, tl.* from (" + LoyaltyManagement.balanceOf(memberId) + ") b cross join lateral ("
                + Tiers.levelOf("b.balance_member_id") + ") tl";
    }

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
                .query((rs, n) -> read(memberId, rs))
                .optional()
                .orElse(Map.of());
    }

    @Override
    public Optional<Fragment> fragment() {
        return Optional.of(
                new Fragment(LoyaltyLookup::select, List.of(LoyaltyManagement.today()), LoyaltyLookup::read));
    }

    private static Map<String, ?> read(long memberId, ResultSet rs) throws SQLException {
        if (rs.getObject("balance_member_id") == null) {
            return Map.of();
        }
        Map<String, Object> entries = new LinkedHashMap<>();
        entries.put("points", LoyaltyManagement.balance(memberId, rs));
        entries.put("tier", Tiers.level(rs, 0));
        return entries;
    }
}
