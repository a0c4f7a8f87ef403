package dev.patron.campaigns;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A generic HTTP SMS gateway: POSTs {@code patron.campaigns.sms.body-template} to
 * {@code patron.campaigns.sms.gateway-url} with {@code ${phone}}, {@code ${text}} and {@code ${key}}
 * (our idempotency key, for the gateway's OutId) replaced by JSON-escaped values. A 2xx answer whose
 * body contains {@code patron.campaigns.sms.success-marker} is acceptance; 4xx is this recipient's
 * failure; 5xx, timeouts and connection errors pause the channel. The gateway's message id (BizId,
 * SerialNo) is read from the answer at {@code idField} (a dotted JSON path) and becomes the message's
 * provider id, which delivery receipts are matched by (MKT-10); our key when the answer has none.
 * Built by {@link GatewaySmsSender} from the configuration in force.
 */
class HttpSmsSender implements ChannelSender {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final HttpClient http = HTTP;
    private final URI url;
    private final String bodyTemplate;
    private final String successMarker;
    private final String idField;
    private final String authorization;

    HttpSmsSender(String url, String bodyTemplate, String successMarker, String idField, String authorization) {
        this.url = URI.create(url);
        this.bodyTemplate = bodyTemplate;
        this.successMarker = successMarker;
        this.idField = idField;
        this.authorization = authorization == null ? "" : authorization;
    }

    @Override
    public Channel channel() {
        return Channel.SMS;
    }

    @Override
    public String send(Outgoing m) throws Failure {
        String body = bodyTemplate
                .replace("${phone}", json(m.to()))
                .replace("${text}", json(m.text()))
                .replace("${key}", json(m.key()));
        HttpRequest.Builder b = HttpRequest.newBuilder(url)
                .timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        if (!authorization.isBlank()) {
            b.header("Authorization", authorization);
        }
        HttpResponse<String> res;
        try {
            res = http.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new Failure(Failure.Kind.GATEWAY, "SMS gateway unreachable: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Failure(Failure.Kind.TRANSIENT, "interrupted", e);
        }
        if (res.statusCode() >= 500) {
            throw new Failure(Failure.Kind.GATEWAY, "SMS gateway HTTP " + res.statusCode(), null);
        }
        if (res.statusCode() >= 400 || !res.body().contains(successMarker)) {
            throw new Failure(Failure.Kind.RECIPIENT, "SMS gateway refused: " + abbreviate(res.body()), null);
        }
        String id = gatewayId(res.body(), idField);
        return id == null ? m.key() : id;
    }

    /** The value at a dotted path ({@code BizId}, {@code SendStatusSet.0.SerialNo}) of a JSON answer. */
    static String gatewayId(String body, String path) {
        if (path == null || path.isBlank()) {
            return null;
        }
        JsonNode n;
        try {
            n = JSON.readTree(body);
        } catch (RuntimeException e) {
            return null;
        }
        for (String part : path.split("\\.")) {
            if (n == null) {
                return null;
            }
            n = n.isArray() && part.matches("\\d+") ? n.get(Integer.parseInt(part)) : n.get(part);
        }
        return n == null || n.isNull() || n.isContainer() || n.asString().isBlank() ? null : n.asString();
    }

    private static String abbreviate(String s) {
        return s.length() > 200 ? s.substring(0, 200) : s;
    }

    private static String json(String s) {
        StringBuilder sb = new StringBuilder();
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.toString();
    }
}
