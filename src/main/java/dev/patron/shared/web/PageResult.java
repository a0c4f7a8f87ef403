package dev.patron.shared.web;

import java.util.List;
import java.util.function.Function;

/** A page of results with the total, as every list endpoint returns it. */
public record PageResult<T>(List<T> items, int page, int size, long totalItems) {

    public long totalPages() {
        return size == 0 ? 0 : (totalItems + size - 1) / size;
    }

    public boolean hasNext() {
        return (long) (page + 1) * size < totalItems;
    }

    public boolean hasPrevious() {
        return page > 0;
    }

    public <R> PageResult<R> map(Function<T, R> f) {
        return new PageResult<>(items.stream().map(f).toList(), page, size, totalItems);
    }
}
