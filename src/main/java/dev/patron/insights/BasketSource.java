package dev.patron.insights;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Baskets for association rules, streamed from {@code sales.v_sale_line} through a server-side
 * cursor (fetch size {@value #FETCH_SIZE}; the caller holds a read-only transaction so PostgreSQL
 * keeps the cursor open), never the whole result in memory. A basket is one SALE ticket: its
 * lines with a positive quantity (return tickets have negative lines and are not baskets), minus
 * lines returned in full (returned quantity = quantity: the customer did not keep the item; a
 * partly returned line stays). Its items are the distinct category (or brand) ids of those lines;
 * lines without one are left out, and a ticket with no item is no basket. Item ids are encoded as
 * dense ints in the order first seen.
 */
@Component
class BasketSource {

    static final int FETCH_SIZE = 10_000;

    private final JdbcTemplate jdbc;

    BasketSource(DataSource dataSource) {
        this.jdbc = new JdbcTemplate(dataSource);
        this.jdbc.setFetchSize(FETCH_SIZE);
    }

    /** The baskets of a level, window and stores (null: all), with the dense-id encoding of the items. */
    Baskets baskets(RuleLevel level, LocalDate from, LocalDate to, Long[] storeIds) {
        return new Baskets(level, from, to, storeIds);
    }

    final class Baskets implements FpGrowth.Baskets {
        private final String sql;
        private final Object[] args;
        private final Map<Long, Integer> dense = new HashMap<>();
        private final List<Long> ids = new ArrayList<>();

        private Baskets(RuleLevel level, LocalDate from, LocalDate to, Long[] storeIds) {
            String col = level.column();
            this.sql = "select sale_id, " + col + " from sales.v_sale_line"
                    + " where quantity > 0 and returned_quantity < quantity and " + col + " is not null"
                    + " and business_date between ? and ?"
                    + (storeIds == null ? "" : " and store_id = any(?)")
                    + " order by sale_id";
            this.args = storeIds == null ? new Object[] {from, to} : new Object[] {from, to, storeIds};
        }

        /** The category or brand id of dense item {@code i}. */
        long id(int i) {
            return ids.get(i);
        }

        @Override
        public void forEach(FpGrowth.BasketConsumer consumer) {
            int[][] buffer = {new int[32]};
            int[] length = {0};
            long[] current = {Long.MIN_VALUE};
            jdbc.query(
                    sql,
                    rs -> {
                        long sale = rs.getLong(1);
                        long item = rs.getLong(2);
                        if (sale != current[0]) {
                            if (length[0] > 0) {
                                consumer.accept(buffer[0], length[0]);
                            }
                            current[0] = sale;
                            length[0] = 0;
                        }
                        Integer d = dense.get(item);
                        if (d == null) {
                            d = ids.size();
                            dense.put(item, d);
                            ids.add(item);
                        }
                        int[] b = buffer[0];
                        for (int i = 0; i < length[0]; i++) {
                            if (b[i] == d) {
                                return; // the same category on two lines of a ticket
                            }
                        }
                        if (length[0] == b.length) {
                            buffer[0] = b = Arrays.copyOf(b, b.length * 2);
                        }
                        b[length[0]++] = d;
                    },
                    args);
            if (length[0] > 0) {
                consumer.accept(buffer[0], length[0]);
            }
        }
    }
}
