package dev.patron.campaigns;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;
import org.springframework.stereotype.Component;

/**
 * A generic HTTP SMS gateway: POSTs {@code patron.campaigns.sms.body-template} to
 * {@code patron.campaigns.sms.gateway-url} with {@code ${phone}}, {@code ${text}} and {@code ${key}}
 * (our idempotency key, for the gateway's OutId) replaced by JSON-escaped values. A 2xx answer whose
 * body contains {@code patron.campaigns.sms.success-marker} is acceptance; 4xx is this recipient's
 * failure; 5xx, timeouts and connection errors pause the channel.
 */
@Component
@ConditionalOnExpression("'${patron.campaigns.sms.gateway-url:}' != ''")
class HttpSmsSender implements ChannelSender {

    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final URI url;
    private final String bodyTemplate;
    private final String successMarker;
    private final String authorization;

    HttpSmsSender(
            @Value("${patron.campaigns.sms.gateway-url}") String url,
            @Value(
                            "${patron.campaigns.sms.body-template:{\"phone\":\"${phone}\",\"text\":\"${text}\",\"outId\":\"${key}\"}}")
                    String bodyTemplate,
            @Value("${patron.campaigns.sms.success-marker:OK}") String successMarker,
            @Value("${patron.campaigns.sms.authorization:}") String authorization) {
        this.url = URI.create(url);
        this.bodyTemplate = bodyTemplate;
        this.successMarker = successMarker;
        this.authorization = authorization;
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
        return m.key();
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
