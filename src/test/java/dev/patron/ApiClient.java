package dev.patron;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** A real HTTP client for the running test application (no MockMvc): what an integration sees. */
public final class ApiClient {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private final HttpClient http = HttpClient.newHttpClient();
    private final String base;
    private final String apiKey;
    private final String language;

    public ApiClient(int port, String apiKey) {
        this(port, apiKey, "en");
    }

    public ApiClient(int port, String apiKey, String language) {
        this.base = "http://localhost:" + port;
        this.apiKey = apiKey;
        this.language = language;
    }

    public ApiClient as(String otherKey) {
        return new ApiClient(Integer.parseInt(base.substring(base.lastIndexOf(':') + 1)), otherKey, language);
    }

    public ApiClient inLanguage(String lang) {
        return new ApiClient(Integer.parseInt(base.substring(base.lastIndexOf(':') + 1)), apiKey, lang);
    }

    /** Status, content type and parsed JSON body (null when empty or not JSON). */
    public record Response(int status, String contentType, String raw, JsonNode json) {
        public String detail() {
            return json == null ? null : json.path("detail").asString();
        }

        /** The message of the field error for {@code field}, or null. */
        public String fieldError(String field) {
            if (json == null) {
                return null;
            }
            for (JsonNode e : json.path("errors")) {
                if (field.equals(e.path("field").asString())) {
                    return e.path("message").asString();
                }
            }
            return null;
        }
    }

    public Response get(String path) {
        return send("GET", path, null);
    }

    public Response post(String path, Object body) {
        return send("POST", path, body instanceof String s ? s : JSON.writeValueAsString(body));
    }

    public Response put(String path, Object body) {
        return send("PUT", path, body instanceof String s ? s : JSON.writeValueAsString(body));
    }

    public Response delete(String path) {
        return send("DELETE", path, null);
    }

    public Response send(String method, String path, String body) {
        return send(method, path, body, "application/json");
    }

    public Response send(String method, String path, String body, String accept) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
                .header("Accept", accept)
                .header("Accept-Language", language)
                .method(
                        method,
                        body == null
                                ? HttpRequest.BodyPublishers.noBody()
                                : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        if (apiKey != null) {
            b.header("Authorization", "Bearer " + apiKey);
        }
        try {
            HttpResponse<String> res = http.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            String ct = res.headers().firstValue("Content-Type").orElse("");
            JsonNode json = null;
            if (!res.body().isBlank() && ct.contains("json")) {
                json = JSON.readTree(res.body());
            }
            return new Response(res.statusCode(), ct, res.body(), json);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
