package dev.patron.shared.web;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.MessageSource;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.util.unit.DataSize;
import org.springframework.web.filter.OncePerRequestFilter;
import org.springframework.web.servlet.LocaleResolver;

/**
 * Refuses request bodies larger than {@code patron.web.max-body-size} (10 MB by default) with 413
 * problem+json before anything reads them, also before authentication. File uploads (multipart, CSV
 * and other non-JSON imports) have their own, larger limit ({@code spring.servlet.multipart.*}) and
 * are not counted here. A body without Content-Length (chunked) is counted while it is read.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 20)
public class RequestBodyLimitFilter extends OncePerRequestFilter {

    /** Request attribute set when a chunked body went over the limit while being read. */
    static final String EXCEEDED = RequestBodyLimitFilter.class.getName() + ".exceeded";

    private final long limit;
    private final MessageSource messages;
    private final LocaleResolver locales;

    public RequestBodyLimitFilter(
            @Value("${patron.web.max-body-size:10MB}") DataSize limit, MessageSource messages, LocaleResolver locales) {
        this.limit = limit.toBytes();
        this.messages = messages;
        this.locales = locales;
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        String type = request.getContentType();
        if (type == null) {
            return false; // counted: a body without a type is not an upload
        }
        String t = type.toLowerCase(Locale.ROOT);
        return t.startsWith("multipart/")
                || t.startsWith("text/csv")
                || t.startsWith("text/plain")
                || t.startsWith("application/octet-stream");
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        if (request.getContentLengthLong() > limit) {
            tooLarge(request, response);
            return;
        }
        chain.doFilter(new Limited(request, limit), response);
    }

    void tooLarge(HttpServletRequest request, HttpServletResponse response) throws IOException {
        Locale locale = locales.resolveLocale(request);
        String detail = messages.getMessage(
                "error.tooLarge", new Object[] {limit / (1024 * 1024)}, "Request body too large", locale);
        String title = messages.getMessage("error.tooLarge.title", null, "Content Too Large", locale);
        response.setStatus(413);
        // the client may still be sending: close the connection rather than read 20 MB
        response.setHeader("Connection", "close");
        response.setContentType("application/problem+json");
        response.setCharacterEncoding(StandardCharsets.UTF_8.name());
        response.getWriter()
                .write("{\"type\":\"about:blank\",\"title\":" + quote(title) + ",\"status\":413,\"detail\":"
                        + quote(detail) + ",\"instance\":" + quote(request.getRequestURI()) + "}");
    }

    private static String quote(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }

    /** Thrown while reading a chunked body past the limit; the API answers 413. */
    public static final class BodyTooLargeException extends IOException {
        BodyTooLargeException(long limit) {
            super("request body larger than " + limit + " bytes");
        }
    }

    private static final class Limited extends HttpServletRequestWrapper {
        private final long limit;
        private ServletInputStream in;

        Limited(HttpServletRequest request, long limit) {
            super(request);
            this.limit = limit;
        }

        @Override
        public ServletInputStream getInputStream() throws IOException {
            if (in == null) {
                ServletInputStream raw = super.getInputStream();
                in = new ServletInputStream() {
                    private long read;

                    private void count(long n) throws IOException {
                        if (n > 0) {
                            read += n;
                            if (read > limit) {
                                setAttribute(EXCEEDED, Boolean.TRUE);
                                throw new BodyTooLargeException(limit);
                            }
                        }
                    }

                    @Override
                    public int read() throws IOException {
                        int b = raw.read();
                        if (b >= 0) {
                            count(1);
                        }
                        return b;
                    }

                    @Override
                    public int read(byte[] b, int off, int len) throws IOException {
                        int n = raw.read(b, off, len);
                        count(n);
                        return n;
                    }

                    @Override
                    public boolean isFinished() {
                        return raw.isFinished();
                    }

                    @Override
                    public boolean isReady() {
                        return raw.isReady();
                    }

                    @Override
                    public void setReadListener(ReadListener listener) {
                        raw.setReadListener(listener);
                    }
                };
            }
            return in;
        }
    }
}
