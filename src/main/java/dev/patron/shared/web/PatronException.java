package dev.patron.shared.web;

import java.util.List;
import org.springframework.http.HttpStatus;

/**
 * A client mistake or a rule the request broke, with a message key from messages*.properties so the
 * caller reads it in their language. API calls answer with problem+json; forms show it inline.
 */
public class PatronException extends RuntimeException {

    private final HttpStatus status;
    private final String messageKey;
    private final Object[] args;
    private final List<FieldError> fieldErrors;

    /** One field's problem: {@code field} is the JSON / form field name. */
    public record FieldError(String field, String messageKey, Object... args) {}

    public PatronException(HttpStatus status, String messageKey, Object... args) {
        this(status, List.of(), messageKey, args);
    }

    public PatronException(HttpStatus status, List<FieldError> fieldErrors, String messageKey, Object... args) {
        super(messageKey);
        this.status = status;
        this.messageKey = messageKey;
        this.args = args;
        this.fieldErrors = List.copyOf(fieldErrors);
    }

    public static PatronException notFound(String messageKey, Object... args) {
        return new PatronException(HttpStatus.NOT_FOUND, messageKey, args);
    }

    public static PatronException conflict(String field, String messageKey, Object... args) {
        return new PatronException(
                HttpStatus.CONFLICT, List.of(new FieldError(field, messageKey, args)), messageKey, args);
    }

    /** 400 naming one field. */
    public static PatronException invalid(String field, String messageKey, Object... args) {
        return new PatronException(
                HttpStatus.BAD_REQUEST, List.of(new FieldError(field, messageKey, args)), messageKey, args);
    }

    /** 404 for a referenced id that does not exist, naming the field that referenced it. */
    public static PatronException unknownReference(String field, String messageKey, Object... args) {
        return new PatronException(
                HttpStatus.NOT_FOUND, List.of(new FieldError(field, messageKey, args)), messageKey, args);
    }

    public HttpStatus status() {
        return status;
    }

    public String messageKey() {
        return messageKey;
    }

    public Object[] args() {
        return args;
    }

    public List<FieldError> fieldErrors() {
        return fieldErrors;
    }
}
