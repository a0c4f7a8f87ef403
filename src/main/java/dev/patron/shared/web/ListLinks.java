package dev.patron.shared.web;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.web.util.UriComponentsBuilder;

/**
 * Links of a console list page: sort headers, pager and the search form keep the current filter,
 * search text, sort and page size, so that templates never assemble query strings.
 */
public final class ListLinks {

    static final int DEFAULT_SIZE = 20;
    private final String path;
    private final PageQuery query;
    private final String defaultSort;
    private final Map<String, String> filters = new LinkedHashMap<>();

    private ListLinks(String path, PageQuery query, String defaultSort) {
        this.path = path;
        this.query = query;
        this.defaultSort = defaultSort;
    }

    /** Links for the list at {@code path}; {@code defaultSort} is the key the list sorts by without a sort parameter. */
    public static ListLinks of(String path, PageQuery query, String defaultSort) {
        return new ListLinks(path, query, defaultSort);
    }

    /** Keeps a filter parameter (e.g. region) in every link; blank values are left out. */
    public ListLinks filter(String name, String value) {
        if (value != null && !value.isBlank()) {
            filters.put(name, value);
        }
        return this;
    }

    public String path() {
        return path;
    }

    public String q() {
        return query.q();
    }

    public String sortParam() {
        return query.sortParam();
    }

    public Integer size() {
        return query.size() == DEFAULT_SIZE ? null : query.size();
    }

    public Map<String, String> filters() {
        return Collections.unmodifiableMap(filters);
    }

    public String filter(String name) {
        return filters.get(name);
    }

    /** The link for a column header: ascending first, descending when already ascending; back to page 0. */
    public String sort(String key) {
        String next = "asc".equals(direction(key)) ? "-" + key : key;
        return url(next, 0);
    }

    /** "asc", "desc" or "" for the column {@code key}, for the header's arrow. */
    public String direction(String key) {
        String current = query.sort() == null ? defaultSort : query.sort();
        if (!key.equals(current)) {
            return "";
        }
        return query.sort() != null && query.desc() ? "desc" : "asc";
    }

    public String page(int page) {
        return url(query.sortParam(), page);
    }

    /** Page numbers to offer around the current one; -1 stands for a gap ("…"). */
    public List<Integer> window(PageResult<?> result) {
        int last = (int) Math.max(0, result.totalPages() - 1);
        int from = Math.max(0, result.page() - 2);
        int to = Math.min(last, result.page() + 2);
        List<Integer> pages = new ArrayList<>();
        if (from > 0) {
            pages.add(0);
            if (from > 1) {
                pages.add(-1);
            }
        }
        for (int p = from; p <= to; p++) {
            pages.add(p);
        }
        if (to < last) {
            if (to < last - 1) {
                pages.add(-1);
            }
            pages.add(last);
        }
        return pages;
    }

    /** 1-based number of the first item shown, 0 for an empty list. */
    public long first(PageResult<?> result) {
        return result.totalItems() == 0 ? 0 : (long) result.page() * result.size() + 1;
    }

    public long last(PageResult<?> result) {
        return (long) result.page() * result.size() + result.items().size();
    }

    private String url(String sort, int page) {
        UriComponentsBuilder b = UriComponentsBuilder.fromPath(path);
        filters.forEach(b::queryParam);
        if (query.q() != null) {
            b.queryParam("q", query.q());
        }
        if (sort != null && !sort.isEmpty()) {
            b.queryParam("sort", sort);
        }
        if (page > 0) {
            b.queryParam("page", page);
        }
        if (size() != null) {
            b.queryParam("size", size());
        }
        return b.encode().build().toUriString();
    }
}
