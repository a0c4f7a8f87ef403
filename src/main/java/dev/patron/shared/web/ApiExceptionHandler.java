package dev.patron.shared.web;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.MessageSource;
import org.springframework.context.i18n.LocaleContextHolder;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.dao.QueryTimeoutException;
import org.springframework.dao.TransientDataAccessException;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.jdbc.CannotGetJdbcConnectionException;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.transaction.CannotCreateTransactionException;
import org.springframework.validation.BindException;
import org.springframework.web.HttpMediaTypeNotSupportedException;
import org.springframework.web.HttpRequestMethodNotSupportedException;
import org.springframework.web.bind.MissingServletRequestParameterException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.method.annotation.HandlerMethodValidationException;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import org.springframework.web.servlet.resource.NoResourceFoundException;

/**
 * Turns every failure of a REST call into RFC 9457 problem+json in the caller's language
 * (Accept-Language). Validation problems carry {@code errors: [{field, message}]}. Client mistakes
 * are 4xx, never 500.
 */
@RestControllerAdvice(annotations = RestController.class)
public class ApiExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(ApiExceptionHandler.class);
    private final MessageSource messages;

    public ApiExceptionHandler(MessageSource messages) {
        this.messages = messages;
    }

    @ExceptionHandler(PatronException.class)
    ResponseEntity<ProblemDetail> patron(PatronException e) {
        List<Map<String, String>> errors = new ArrayList<>();
        for (PatronException.FieldError fe : e.fieldErrors()) {
            errors.add(Map.of("field", fe.field(), "message", msg(fe.messageKey(), fe.args())));
        }
        return problem(e.status(), msg(e.messageKey(), e.args()), errors);
    }

    @ExceptionHandler(BindException.class) // includes MethodArgumentNotValidException
    ResponseEntity<ProblemDetail> invalid(BindException e) {
        List<Map<String, String>> errors = new ArrayList<>();
        e.getBindingResult()
                .getFieldErrors()
                .forEach(fe -> errors.add(Map.of(
                        "field", fe.getField(),
                        "message", messages.getMessage(fe, locale()))));
        e.getBindingResult()
                .getGlobalErrors()
                .forEach(ge -> errors.add(Map.of(
                        "field", ge.getObjectName(),
                        "message", messages.getMessage(ge, locale()))));
        return problem(HttpStatus.BAD_REQUEST, msg("error.validation"), errors);
    }

    @ExceptionHandler(HandlerMethodValidationException.class)
    ResponseEntity<ProblemDetail> invalidParameters(HandlerMethodValidationException e) {
        List<Map<String, String>> errors = new ArrayList<>();
        e.getParameterValidationResults().forEach(r -> {
            String name = r.getMethodParameter().getParameterName();
            r.getResolvableErrors()
                    .forEach(err -> errors.add(
                            Map.of("field", name == null ? "?" : name, "message", messages.getMessage(err, locale()))));
        });
        return problem(HttpStatus.BAD_REQUEST, msg("error.validation"), errors);
    }

    @ExceptionHandler(HttpMessageNotReadableException.class)
    ResponseEntity<ProblemDetail> unreadable(HttpMessageNotReadableException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof RequestBodyLimitFilter.BodyTooLargeException) {
                return problem(HttpStatus.CONTENT_TOO_LARGE, msg("error.tooLarge.chunked"), List.of());
            }
        }
        String field = JsonErrors.fieldPath(e);
        String detail = JsonErrors.isUnknownProperty(e)
                ? msg("error.json.unknownField", field)
                : field != null ? msg("error.json.badValue", field) : msg("error.json.malformed");
        List<Map<String, String>> errors =
                field == null ? List.of() : List.of(Map.of("field", field, "message", detail));
        return problem(HttpStatus.BAD_REQUEST, detail, errors);
    }

    @ExceptionHandler(MethodArgumentTypeMismatchException.class)
    ResponseEntity<ProblemDetail> typeMismatch(MethodArgumentTypeMismatchException e) {
        String detail = msg("error.json.badValue", e.getName());
        return problem(HttpStatus.BAD_REQUEST, detail, List.of(Map.of("field", e.getName(), "message", detail)));
    }

    @ExceptionHandler(MissingServletRequestParameterException.class)
    ResponseEntity<ProblemDetail> missing(MissingServletRequestParameterException e) {
        String detail = msg("validation.required");
        return problem(
                HttpStatus.BAD_REQUEST, detail, List.of(Map.of("field", e.getParameterName(), "message", detail)));
    }

    @ExceptionHandler(DuplicateKeyException.class)
    ResponseEntity<ProblemDetail> duplicate(DuplicateKeyException e) {
        // a concurrent insert won the race past the service's own check
        return problem(HttpStatus.CONFLICT, msg("error.duplicate"), List.of());
    }

    /**
     * No database connection in time (overload, failover, database down, disk full): 503 with
     * Retry-After so clients retry, never a 500. See docs/RELIABILITY.md.
     */
    @ExceptionHandler({
        CannotGetJdbcConnectionException.class,
        CannotCreateTransactionException.class,
        QueryTimeoutException.class,
        DataAccessResourceFailureException.class,
        TransientDataAccessException.class
    })
    ResponseEntity<ProblemDetail> unavailable(RuntimeException e) {
        log.warn("Database not available in time: {}", e.getMessage());
        ResponseEntity<ProblemDetail> problem =
                problem(HttpStatus.SERVICE_UNAVAILABLE, msg(DatabaseUnavailable.messageKey(e)), List.of());
        return ResponseEntity.status(problem.getStatusCode())
                .headers(problem.getHeaders())
                .header("Retry-After", DatabaseUnavailable.RETRY_AFTER_SECONDS)
                .body(problem.getBody());
    }

    @ExceptionHandler(AccessDeniedException.class)
    ResponseEntity<ProblemDetail> denied(AccessDeniedException e) {
        String key = e.getMessage() != null && e.getMessage().startsWith("error.") ? e.getMessage() : "error.forbidden";
        return problem(HttpStatus.FORBIDDEN, msg(key), List.of());
    }

    @ExceptionHandler(HttpRequestMethodNotSupportedException.class)
    ResponseEntity<ProblemDetail> method(HttpRequestMethodNotSupportedException e) {
        return problem(HttpStatus.METHOD_NOT_ALLOWED, msg("error.methodNotAllowed", e.getMethod()), List.of());
    }

    @ExceptionHandler(HttpMediaTypeNotSupportedException.class)
    ResponseEntity<ProblemDetail> mediaType(HttpMediaTypeNotSupportedException e) {
        return problem(HttpStatus.UNSUPPORTED_MEDIA_TYPE, msg("error.mediaType"), List.of());
    }

    @ExceptionHandler(NoResourceFoundException.class)
    ResponseEntity<ProblemDetail> noResource(NoResourceFoundException e) {
        return problem(HttpStatus.NOT_FOUND, msg("error.notFound"), List.of());
    }

    /** Tomcat could not decode a request parameter (e.g. %C3%28 is not UTF-8): the caller's mistake. */
    @ExceptionHandler(org.apache.tomcat.util.http.InvalidParameterException.class)
    ResponseEntity<ProblemDetail> undecodableParameter(Exception e) {
        return problem(HttpStatus.BAD_REQUEST, msg("error.parameterEncoding"), List.of());
    }

    @ExceptionHandler(Exception.class)
    ResponseEntity<ProblemDetail> unexpected(Exception e) {
        if (DatabaseUnavailable.is(e)) {
            // e.g. TransactionSystemException: the commit or rollback failed because the connection died
            return unavailable(new IllegalStateException(e.getMessage(), e));
        }
        log.error("Unexpected error in API call", e);
        return problem(HttpStatus.INTERNAL_SERVER_ERROR, msg("error.internal"), List.of());
    }

    private ResponseEntity<ProblemDetail> problem(HttpStatus status, String detail, List<Map<String, String>> errors) {
        ProblemDetail pd = ProblemDetail.forStatusAndDetail(status, detail);
        pd.setTitle(msg("http." + status.value(), status.getReasonPhrase()));
        pd.setType(URI.create("about:blank"));
        if (!errors.isEmpty()) {
            pd.setProperty("errors", errors);
        }
        return ResponseEntity.status(status)
                .contentType(org.springframework.http.MediaType.APPLICATION_PROBLEM_JSON)
                .body(pd);
    }

    private String msg(String key, Object... args) {
        return messages.getMessage(key, args, key, locale());
    }

    private static Locale locale() {
        return LocaleContextHolder.getLocale();
    }
}
