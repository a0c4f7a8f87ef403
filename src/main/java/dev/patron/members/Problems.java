package dev.patron.members;

import dev.patron.shared.web.PatronException;
import java.util.ArrayList;
import java.util.List;
import org.springframework.http.HttpStatus;

/** Collects every field problem of a request so the caller sees them all at once (400). */
final class Problems {

    private final List<PatronException.FieldError> errors = new ArrayList<>();
    private final String prefix;

    Problems() {
        this("");
    }

    /** Field names get {@code prefix} (e.g. {@code "contactPersons[1]."}). */
    Problems(String prefix) {
        this.prefix = prefix;
    }

    Problems add(String field, String messageKey, Object... args) {
        errors.add(new PatronException.FieldError(prefix + field, messageKey, args));
        return this;
    }

    boolean isEmpty() {
        return errors.isEmpty();
    }

    List<PatronException.FieldError> errors() {
        return errors;
    }

    void throwIfAny() {
        if (!errors.isEmpty()) {
            throw new PatronException(HttpStatus.BAD_REQUEST, errors, "error.validation");
        }
    }
}
