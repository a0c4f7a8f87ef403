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
        if (c instanceof tools.jackson.core.exc.InputCoercionException sre && sre.processor() != null) {
            // e.g. a number too large for long: the parser knows where it was
            return contextPath(sre.processor().streamReadContext());
        }
        return null;
    }

    private static String contextPath(tools.jackson.core.TokenStreamContext leaf) {
        java.util.ArrayDeque<Object> segments = new java.util.ArrayDeque<>();
        for (var ctx = leaf; ctx != null; ctx = ctx.getParent()) {
            if (ctx.inObject() && ctx.currentName() != null) {
                segments.addFirst(ctx.currentName());
            } else if (ctx.inArray() && ctx.hasCurrentIndex()) {
                segments.addFirst(ctx.getCurrentIndex());
            }
        }
        StringBuilder sb = new StringBuilder();
        for (Object seg : segments) {
            if (seg instanceof Integer i) {
                sb.append('[').append(i).append(']');
            } else {
                sb.append(sb.isEmpty() ? "" : ".").append(seg);
            }
        }
        return sb.isEmpty() ? null : sb.toString();
    }
}
