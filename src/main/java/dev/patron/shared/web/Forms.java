package dev.patron.shared.web;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.beans.NotReadablePropertyException;
import org.springframework.http.HttpStatus;
import org.springframework.validation.BindingResult;

/** Helpers for console forms that submit a module's command and show its answer inline. */
public final class Forms {

    private Forms() {}

    /**
     * Puts the API's field errors next to the form's fields ({@code brandCodes[2]} lands on
     * {@code brandCodes}) and sets the response status to the API's (400, 404 or 409). A problem
     * that names no field (e.g. the edited record is gone) is not a form matter: it is rethrown
     * for the error page.
     */
    public static void reject(BindingResult result, PatronException e, HttpServletResponse response) {
        if (e.fieldErrors().isEmpty()) {
            throw e;
        }
        for (PatronException.FieldError fe : e.fieldErrors()) {
            String field = fe.field().replaceAll("\\[\\d+]$", "");
            try {
                result.rejectValue(field, fe.messageKey(), fe.args(), fe.messageKey());
            } catch (NotReadablePropertyException ex) {
                result.reject(fe.messageKey(), fe.args(), fe.messageKey());
            }
        }
        response.setStatus(e.status().value());
    }

    /** A form shown again because of validation errors answers 400, so that clients and tests can tell. */
    public static void invalid(HttpServletResponse response) {
        response.setStatus(HttpStatus.BAD_REQUEST.value());
    }

    /**
     * True for an HTMX request that wants only the changing part of a page (live search); a boosted
     * link or a history restore needs the whole page.
     */
    public static boolean wantsFragment(HttpServletRequest request) {
        return "true".equals(request.getHeader("HX-Request"))
                && request.getHeader("HX-Boosted") == null
                && request.getHeader("HX-History-Restore-Request") == null;
    }
}
