package dev.patron.shared.web;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.TypeMismatchException;
import org.springframework.context.MessageSource;
import org.springframework.context.i18n.LocaleContextHolder;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.dao.DataAccessException;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.dao.QueryTimeoutException;
import org.springframework.dao.TransientDataAccessException;
import org.springframework.http.HttpStatus;
import org.springframework.jdbc.CannotGetJdbcConnectionException;
import org.springframework.transaction.CannotCreateTransactionException;
import org.springframework.transaction.TransactionSystemException;
import org.springframework.validation.BindException;
import org.springframework.web.bind.MissingServletRequestParameterException;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.method.annotation.HandlerMethodValidationException;
import org.springframework.web.servlet.ModelAndView;

/**
 * Shows a console page's failure as a friendly page in the user's language: a rule the request
 * broke ({@link PatronException}: 404 unknown record, 409 duplicate, 400 bad parameter) or a
 * malformed parameter. It outranks Spring Boot's problem+json handler for console pages only
 * (selected by {@link ConsolePage}). {@code AccessDeniedException} is deliberately not handled: it
 * goes on to Spring Security, which forwards to the 403 page.
 */
@ControllerAdvice(assignableTypes = ConsolePage.class)
@Order(Ordered.HIGHEST_PRECEDENCE)
public class PageExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(PageExceptionHandler.class);
    private final MessageSource messages;

    public PageExceptionHandler(MessageSource messages) {
        this.messages = messages;
    }

    @ExceptionHandler(PatronException.class)
    ModelAndView patron(PatronException e, HttpServletRequest request) {
        Map<String, String> details = new LinkedHashMap<>();
        for (PatronException.FieldError fe : e.fieldErrors()) {
            details.put(fe.field(), msg(fe.messageKey(), fe.args()));
        }
        return page(request, e.status(), msg(e.messageKey(), e.args()), details);
    }

    @ExceptionHandler(TypeMismatchException.class)
    ModelAndView typeMismatch(TypeMismatchException e, HttpServletRequest request) {
        String name = e.getPropertyName() == null ? "?" : e.getPropertyName();
        return page(request, HttpStatus.BAD_REQUEST, msg("error.json.badValue", name), Map.of());
    }

    @ExceptionHandler(MissingServletRequestParameterException.class)
    ModelAndView missing(MissingServletRequestParameterException e, HttpServletRequest request) {
        return page(
                request,
                HttpStatus.BAD_REQUEST,
                msg("error.validation"),
                Map.of(e.getParameterName(), msg("validation.required")));
    }

    @ExceptionHandler(BindException.class)
    ModelAndView invalid(BindException e, HttpServletRequest request) {
        Map<String, String> details = new LinkedHashMap<>();
        e.getBindingResult()
                .getFieldErrors()
                .forEach(fe -> details.put(fe.getField(), messages.getMessage(fe, LocaleContextHolder.getLocale())));
        return page(request, HttpStatus.BAD_REQUEST, msg("error.validation"), details);
    }

    @ExceptionHandler(HandlerMethodValidationException.class)
    ModelAndView invalidParameters(HandlerMethodValidationException e, HttpServletRequest request) {
        Map<String, String> details = new LinkedHashMap<>();
        e.getParameterValidationResults()
                .forEach(r -> r.getResolvableErrors()
                        .forEach(err -> details.put(
                                String.valueOf(r.getMethodParameter().getParameterName()),
                                messages.getMessage(err, LocaleContextHolder.getLocale()))));
        return page(request, HttpStatus.BAD_REQUEST, msg("error.validation"), details);
    }

    @ExceptionHandler(DuplicateKeyException.class)
    ModelAndView duplicate(DuplicateKeyException e, HttpServletRequest request) {
        log.info("Concurrent duplicate on {}: {}", request.getRequestURI(), e.getMessage());
        return page(request, HttpStatus.CONFLICT, msg("error.duplicate"), Map.of());
    }

    /** The database is down, unreachable or full: a 503 page with Retry-After, never a 500 or a stack trace. */
    @ExceptionHandler({
        CannotGetJdbcConnectionException.class,
        CannotCreateTransactionException.class,
        QueryTimeoutException.class,
        DataAccessResourceFailureException.class,
        TransientDataAccessException.class
    })
    ModelAndView unavailable(RuntimeException e, HttpServletRequest request, HttpServletResponse response) {
        log.warn("Database not available for {}: {}", request.getRequestURI(), e.getMessage());
        response.setHeader("Retry-After", DatabaseUnavailable.RETRY_AFTER_SECONDS);
        return page(request, HttpStatus.SERVICE_UNAVAILABLE, msg(DatabaseUnavailable.messageKey(e)), Map.of());
    }

    /** A failed commit or rollback, or another data-access failure: 503 when the database went away. */
    @ExceptionHandler({TransactionSystemException.class, DataAccessException.class})
    ModelAndView dataAccess(RuntimeException e, HttpServletRequest request, HttpServletResponse response) {
        if (!DatabaseUnavailable.is(e)) {
            throw e; // a genuine defect: Spring Boot's error page (500), logged
        }
        return unavailable(e, request, response);
    }

    /** Tomcat could not decode a request parameter (not UTF-8): 400, not 500. */
    @ExceptionHandler(org.apache.tomcat.util.http.InvalidParameterException.class)
    ModelAndView undecodableParameter(Exception e, HttpServletRequest request) {
        return page(request, HttpStatus.BAD_REQUEST, msg("error.parameterEncoding"), Map.of());
    }

    private ModelAndView page(
            HttpServletRequest request, HttpStatus status, String message, Map<String, String> details) {
        ModelAndView mav = new ModelAndView("error/page", status);
        mav.addObject("status", status.value());
        mav.addObject("message", message);
        List<Map.Entry<String, String>> list = new ArrayList<>(details.entrySet());
        mav.addObject("details", list);
        ConsoleModel.populate(mav.getModel(), request);
        return mav;
    }

    private String msg(String key, Object... args) {
        return messages.getMessage(key, args, key, LocaleContextHolder.getLocale());
    }
}
