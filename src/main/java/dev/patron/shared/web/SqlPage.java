package dev.patron.shared.web;

import java.util.List;
import java.util.Map;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.simple.JdbcClient;

/** Runs the two queries of a paged list: the total and one page of rows. */
public final class SqlPage {

    private SqlPage() {}

    /**
     * @param countSql {@code select count(*) ...} with the same filter as {@code selectSql}
     * @param selectSql the rows, filtered and ordered; {@code limit :limit offset :offset} is appended
     */
    public static <T> PageResult<T> query(
            JdbcClient jdbc,
            String countSql,
            String selectSql,
            Map<String, ?> params,
            PageQuery page,
            RowMapper<T> rows) {
        long total = jdbc.sql(countSql).params(params).query(Long.class).single();
        List<T> items = total == 0
                ? List.of()
                : jdbc.sql(selectSql + " limit :limit offset :offset")
                        .params(params)
                        .param("limit", page.size())
                        .param("offset", page.offset())
                        .query(rows)
                        .list();
        return new PageResult<>(items, page.page(), page.size(), total);
    }
}
