package dev.patron.console;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.CookieManager;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A browser-like HTTP session with the console: real HTTP, cookies, CSRF tokens read from the pages
 * the way a browser would submit them, redirects not followed (tests look at them).
 */
final class ConsoleSession {

    private static final Pattern CSRF_INPUT = Pattern.compile("name=\"_csrf\" value=\"([^\"]+)\"");
    private static final Pattern CSRF_META = Pattern.compile("<meta name=\"_csrf\" content=\"([^\"]+)\"");

    private final String base;
    private final String language;
    private final HttpClient http;

    /** What came back: status, Location header (redirects) and the body. */
    record Page(int status, String location, String body) {}

    /** Form fields in order; a name may repeat (checkboxes, multi-selects). */
    static final class Form {
        private final List<Map.Entry<String, String>> fields = new ArrayList<>();

        static Form of(String... namesAndValues) {
            Form f = new Form();
            for (int i = 0; i < namesAndValues.length; i += 2) {
                f.and(namesAndValues[i], namesAndValues[i + 1]);
            }
            return f;
        }

        Form and(String name, String value) {
            fields.add(Map.entry(name, value));
            return this;
        }

        String encoded() {
            return fields.stream()
                    .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                            + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                    .collect(Collectors.joining("&"));
        }
    }

    ConsoleSession(int port, String language) {
        this.base = "http://localhost:" + port;
        this.language = language;
        this.http = HttpClient.newBuilder()
                .cookieHandler(new CookieManager())
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    ConsoleSession(int port) {
        this(port, "en");
    }

    /** Opens the login page, then posts the credentials with the page's CSRF token. */
    Page login(String username, String password) {
        Page loginPage = get("/login");
        return post("/login", Form.of("username", username, "password", password, "_csrf", csrfFrom(loginPage.body())));
    }

    Page get(String path) {
        return get(path, Map.of());
    }

    Page get(String path, Map<String, String> headers) {
        HttpRequest.Builder b = request(path).GET();
        headers.forEach(b::header);
        return send(b);
    }

    /** Posts {@code form} with a CSRF token taken from a page of this session, like a browser submitting a form. */
    Page submit(String path, Form form) {
        Page any = get("/account/password");
        return post(path, form.and("_csrf", csrfFrom(any.body())));
    }

    /** Posts exactly {@code form} (no CSRF token unless the form has one). */
    Page post(String path, Form form) {
        return send(request(path)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form.encoded())));
    }

    /**
     * Posts a multipart form like a browser's file upload: the CSRF token (taken from a page of this
     * session), {@code form}'s fields, and a file part {@code fileField} (left out when {@code fileName} is null).
     */
    Page upload(String path, Form form, String fileField, String fileName, byte[] content) {
        String csrf = csrfFrom(get("/account/password").body());
        String boundary = "----PatronTest" + System.nanoTime();
        java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
        java.util.function.Consumer<String> text = t -> body.writeBytes(t.getBytes(StandardCharsets.UTF_8));
        List<Map.Entry<String, String>> fields = new ArrayList<>(form.fields);
        fields.add(Map.entry("_csrf", csrf));
        for (Map.Entry<String, String> f : fields) {
            text.accept("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + f.getKey() + "\"\r\n\r\n"
                    + f.getValue() + "\r\n");
        }
        if (fileName != null) {
            text.accept("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + fileField + "\"; filename=\""
                    + fileName + "\"\r\nContent-Type: application/octet-stream\r\n\r\n");
            body.writeBytes(content);
            text.accept("\r\n");
        }
        text.accept("--" + boundary + "--\r\n");
        return send(request(path)
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())));
    }

    static String csrfFrom(String html) {
        Matcher m = CSRF_INPUT.matcher(html);
        if (m.find()) {
            return m.group(1);
        }
        m = CSRF_META.matcher(html);
        if (m.find()) {
            return m.group(1);
        }
        throw new AssertionError("no CSRF token in the page:\n" + html);
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create(base + path))
                .header("Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8")
                .header("Accept-Language", language);
    }

    private Page send(HttpRequest.Builder b) {
        try {
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            return new Page(r.statusCode(), r.headers().firstValue("Location").orElse(null), r.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
