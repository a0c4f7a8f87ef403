package dev.patron.sales;

import dev.patron.shared.web.PatronException;
import dev.patron.shared.web.PatronException.FieldError;
import java.util.ArrayList;
import java.util.List;
import org.springframework.http.HttpStatus;

/**
 * Collects every problem of one ticket so that the caller learns all of them at once. Missing or
 * malformed values are 400; well-formed values that break a rule (totals that do not add up, an
 * unknown store, a future business date, a counter of another store, an unknown member) are 422.
 */
final class TicketProblems {

    private final List<FieldError> errors = new ArrayList<>();
    private HttpStatus status = HttpStatus.UNPROCESSABLE_ENTITY;

    void invalid(String field, String key, Object... args) {
        errors.add(new FieldError(field, key, args));
        status = HttpStatus.BAD_REQUEST;
    }

    void unprocessable(String field, String key, Object... args) {
        errors.add(new FieldError(field, key, args));
    }

    int count() {
        return errors.size();
    }

    boolean any() {
        return !errors.isEmpty();
    }

    void throwIfAny() {
        if (!errors.isEmpty()) {
            throw exception();
        }
    }

    PatronException exception() {
        FieldError first = errors.get(0);
        return new PatronException(status, errors, first.messageKey(), first.args());
    }

    static PatronException unprocessable1(String field, String key, Object... args) {
        return new PatronException(
                HttpStatus.UNPROCESSABLE_ENTITY, List.of(new FieldError(field, key, args)), key, args);
    }
}
