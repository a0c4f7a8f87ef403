package dev.patron.shared.web;

import java.beans.PropertyEditorSupport;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import org.springframework.web.bind.WebDataBinder;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.bind.annotation.InitBinder;

/**
 * How console forms turn request parameters into commands: an empty field is "not given" (null,
 * so optional fields such as a phone number are not validated as empty strings), and dates are
 * ISO {@code yyyy-MM-dd} as {@code <input type="date">} sends and expects them, whatever the
 * language. Text is not trimmed here: passwords must arrive exactly as typed; the APIs trim names.
 */
@ControllerAdvice(assignableTypes = ConsolePage.class)
class PageFormBinding {

    @InitBinder
    void initBinder(WebDataBinder binder) {
        binder.registerCustomEditor(String.class, new EmptyAsNull());
        binder.registerCustomEditor(LocalDate.class, new IsoDate());
    }

    static final class EmptyAsNull extends PropertyEditorSupport {
        @Override
        public void setAsText(String text) {
            if (text != null && text.indexOf('\0') >= 0) {
                // PostgreSQL cannot store NUL: a field error (400), not a database failure (500)
                throw new IllegalArgumentException("the NUL character is not allowed");
            }
            setValue(text == null || text.isEmpty() ? null : text);
        }

        @Override
        public String getAsText() {
            return getValue() == null ? "" : getValue().toString();
        }
    }

    static final class IsoDate extends PropertyEditorSupport {
        @Override
        public void setAsText(String text) {
            if (text == null || text.isBlank()) {
                setValue(null);
                return;
            }
            try {
                setValue(LocalDate.parse(text.trim()));
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException(e.getMessage(), e);
            }
        }

        @Override
        public String getAsText() {
            return getValue() == null ? "" : getValue().toString();
        }
    }
}
