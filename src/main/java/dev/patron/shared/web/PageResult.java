package dev.patron.shared.web;

import java.util.List;
import java.util.function.Function;

/**
 * A page of results with the total, as every list endpoint returns it. {@code totalExact} is
 * {@code false} when the list only counted up to a limit: {@code totalItems} is then a lower bound
 * (show it as "10,000+"), and there are more items after this page.
 */
public record PageResult<T>(List<T> items, int page, int size, long totalItems, boolean totalExact) {

    /** A page with an exact total. */
    public PageResult(List<T> items, int page, int size, long totalItems) {
        this(items, page, size, totalItems, true);
    }

    public long totalPages() {
        return size == 0 ? 0 : (totalItems + size - 1) / size;
    }

    public boolean hasNext() {
        return (long) (page + 1) * size < totalItems || !totalExact;
    }

    public boolean hasPrevious() {
        return page > 0;
    }

    public <R> PageResult<R> map(Function<T, R> f) {
        return new PageResult<>(items.stream().map(f).toList(), page, size, totalItems, totalExact);
    }
}
