package dev.patron.shared.web;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Builds a WHERE clause from optional conditions with named parameters; values never go into the SQL text. */
public final class SqlFilter {

    private final List<String> conditions = new ArrayList<>();
    private final Map<String, Object> params = new HashMap<>();

    public SqlFilter add(String condition, String name, Object value) {
        conditions.add(condition);
        params.put(name, value);
        return this;
    }

    /** Adds {@code condition} only when {@code value} is not null. */
    public SqlFilter addIf(Object value, String condition, String name) {
        if (value != null) {
            add(condition, name, value);
        }
        return this;
    }

    public SqlFilter param(String name, Object value) {
        params.put(name, value);
        return this;
    }

    public String where() {
        return conditions.isEmpty() ? "" : " where " + String.join(" and ", conditions);
    }

    public Map<String, Object> params() {
        return params;
    }
}
