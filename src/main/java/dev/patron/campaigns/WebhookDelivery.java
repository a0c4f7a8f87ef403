package dev.patron.campaigns;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import net.javacrumbs.shedlock.spring.annotation.SchedulerLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Drains the webhook outbox: POSTs each due delivery with {@code X-Patron-Event-Id}, {@code
 * X-Patron-Timestamp} (Unix seconds of this attempt) and {@code X-Patron-Signature: v1=hex
 * HMAC-SHA256(secret, timestamp + "." + body)}. A 2xx answer delivers it; anything else (or no answer)
 * retries after 30 s, 1 min, 2 min … (max 1 h) up to {@link #MAX_ATTEMPTS}, then FAILED. At least
 * once: a crash between the POST and recording it sends it again with the same event id. One instance
 * at a time (ShedLock {@code campaigns.webhooks}).
 */
@Component
class WebhookDelivery {

    static final int MAX_ATTEMPTS = 12;
    private static final Logger log = LoggerFactory.getLogger(WebhookDelivery.class);
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final JdbcClient jdbc;
    private final CampaignClock clock;
    private volatile boolean enabled = true;

    WebhookDelivery(JdbcClient jdbc, CampaignClock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
    }

    private record Due(long id, String url, String secret, String eventId, String payload, int attempts) {}

    @Scheduled(
            fixedDelayString = "${patron.campaigns.webhook-interval:PT5S}",
            initialDelayString = "${patron.campaigns.dispatch-initial-delay:PT20S}")
    @SchedulerLock(name = "campaigns.webhooks", lockAtMostFor = "PT10M")
    void tick() {
        if (!enabled) {
            return;
        }
        try {
            runOnce();
        } catch (RuntimeException e) {
            log.error("Webhook delivery failed; next run retries", e);
        }
    }

    /** Tests drive the delivery themselves. */
    void enable(boolean on) {
        this.enabled = on;
    }

    /** Delivers what is due now (up to 200); returns how many were attempted. */
    int runOnce() {
        Instant now = clock.now();
        List<Due> due = jdbc.sql("""
                select d.id, e.url, e.secret, d.event_id::text, d.payload, d.attempts
                from campaigns.webhook_delivery d join campaigns.webhook_endpoint e on e.id = d.endpoint_id
                where d.status = 'PENDING' and d.next_at <= ? and e.active
                order by d.next_at, d.id limit 200""")
                .param(Timestamp.from(now))
                .query((rs, n) -> new Due(
                        rs.getLong(1),
                        rs.getString(2),
                        rs.getString(3),
                        rs.getString(4),
                        rs.getString(5),
                        rs.getInt(6)))
                .list();
        for (Due d : due) {
            deliver(d);
        }
        return due.size();
    }

    private void deliver(Due d) {
        long ts = clock.now().getEpochSecond();
        byte[] body = d.payload().getBytes(StandardCharsets.UTF_8);
        Integer status = null;
        String error = null;
        try {
            HttpResponse<Void> res = HTTP.send(
                    HttpRequest.newBuilder(URI.create(d.url()))
                            .timeout(Duration.ofSeconds(10))
                            .header("Content-Type", "application/json")
                            .header("X-Patron-Event-Id", d.eventId())
                            .header("X-Patron-Timestamp", Long.toString(ts))
                            .header("X-Patron-Signature", "v1=" + signature(d.secret(), ts, body))
                            .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                            .build(),
                    HttpResponse.BodyHandlers.discarding());
            status = res.statusCode();
            if (status / 100 != 2) {
                error = "HTTP " + status;
            }
        } catch (IOException | IllegalArgumentException e) {
            error = String.valueOf(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        int attempts = d.attempts() + 1;
        if (error == null) {
            jdbc.sql("""
                    update campaigns.webhook_delivery set status = 'DELIVERED', attempts = ?, last_status = ?,
                      last_error = null, delivered_at = ? where id = ?""")
                    .params(attempts, status, Timestamp.from(clock.now()), d.id())
                    .update();
        } else {
            jdbc.sql("""
                    update campaigns.webhook_delivery set status = ?, attempts = ?, last_status = ?, last_error = ?,
                      next_at = ? where id = ?""")
                    .params(
                            attempts >= MAX_ATTEMPTS ? "FAILED" : "PENDING",
                            attempts,
                            status,
                            error.length() > 500 ? error.substring(0, 500) : error,
                            Timestamp.from(clock.now().plus(Sending.backoff(attempts))),
                            d.id())
                    .update();
        }
    }

    /** hex HMAC-SHA256(secret, timestamp + "." + body): what receivers recompute. */
    static String signature(String secret, long timestamp, byte[] body) {
        byte[] prefix = (timestamp + ".").getBytes(StandardCharsets.US_ASCII);
        byte[] signed = new byte[prefix.length + body.length];
        System.arraycopy(prefix, 0, signed, 0, prefix.length);
        System.arraycopy(body, 0, signed, prefix.length, body.length);
        return Tokens.hmacHex(secret, signed);
    }
}
