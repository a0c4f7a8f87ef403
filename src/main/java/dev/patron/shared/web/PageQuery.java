package dev.patron.shared.web;

import java.util.Map;

/**
 * One page of a list: 0-based page, size (1-200), a free-text filter and a sort key that the list
 * whitelists (never raw SQL from the caller).
 */
public record PageQuery(int page, int size, String q, String sort, boolean desc) {

    public static final int MAX_SIZE = 200;

    public PageQuery {
        if (page < 0) {
            throw PatronException.invalid("page", "validation.page");
        }
        if (size < 1 || size > MAX_SIZE) {
            throw PatronException.invalid("size", "validation.size", MAX_SIZE);
        }
        q = q == null || q.isBlank() ? null : q.trim();
    }

    public static PageQuery of(Integer page, Integer size, String q, String sort) {
        String s = sort == null || sort.isBlank() ? null : sort.trim();
        boolean desc = s != null && s.startsWith("-");
        if (desc) {
            s = s.substring(1);
        }
        return new PageQuery(page == null ? 0 : page, size == null ? 20 : size, q, s, desc);
    }

    public int offset() {
        return page * size;
    }

    /** {@code like} pattern for the filter, with %, _ and \ escaped. */
    public String likePattern() {
        return q == null
                ? null
                : "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%";
    }

    /** SQL ORDER BY for the allowed sort keys; unknown keys give 400 naming {@code sort}. */
    public String orderBy(Map<String, String> allowed, String defaultKey) {
        String key = sort == null ? defaultKey : sort;
        String column = allowed.get(key);
        if (column == null) {
            throw PatronException.invalid("sort", "validation.sort", String.join(", ", allowed.keySet()));
        }
        return column + (desc ? " desc" : " asc") + ", id asc";
    }

    /** The sort parameter as the caller wrote it, for links. */
    public String sortParam() {
        return sort == null ? "" : (desc ? "-" : "") + sort;
    }
}
