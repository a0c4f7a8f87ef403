package dev.patron.loyalty;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/** Reads the program row (one indexed row; read per event so a change applies at once). */
@Component
class ProgramSettings {

    private final JdbcClient jdbc;

    ProgramSettings(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    LoyaltyProgram current() {
        return jdbc.sql("""
                select points_per_yuan, rounding, pending_days, expiry_policy, expiry_months, max_negative_balance
                from loyalty.program where id = 1""")
                .query((rs, n) -> new LoyaltyProgram(
                        rs.getBigDecimal(1),
                        rs.getString(2),
                        rs.getInt(3),
                        rs.getString(4),
                        rs.getInt(5),
                        rs.getLong(6)))
                .single();
    }
}
