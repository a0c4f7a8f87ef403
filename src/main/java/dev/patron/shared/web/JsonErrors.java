package dev.patron.shared.web;

import org.springframework.http.converter.HttpMessageNotReadableException;

/** Reads the offending JSON field out of Jackson's exception without depending on its version's types. */
final class JsonErrors {

    private JsonErrors() {}

    static boolean isUnknownProperty(HttpMessageNotReadableException e) {
        Throwable c = e.getCause();
        return c != null && c.getClass().getSimpleName().contains("UnrecognizedProperty");
    }

    /** Path like {@code brands[2].code}, or null when the JSON itself is malformed. */
    static String fieldPath(HttpMessageNotReadableException e) {
        Throwable c = e.getCause();
        if (c instanceof tools.jackson.databind.DatabindException de) {
            StringBuilder sb = new StringBuilder();
            for (var ref : de.getPath()) {
                if (ref.getPropertyName() != null) {
                    if (!sb.isEmpty()) {
                        sb.append('.');
                    }
                    sb.append(ref.getPropertyName());
                } else if (ref.getIndex() >= 0) {
                    sb.append('[').append(ref.getIndex()).append(']');
                }
            }
            return sb.isEmpty() ? null : sb.toString();
        }
        return null;
    }
}
