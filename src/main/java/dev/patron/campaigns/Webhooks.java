package dev.patron.campaigns;

import dev.patron.audit.AuditLog;
import dev.patron.shared.security.CurrentStaff;
import dev.patron.shared.security.Role;
import dev.patron.shared.web.PatronException;
import java.net.URI;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.context.event.EventListener;
import org.springframework.http.HttpStatus;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import tools.jackson.databind.json.JsonMapper;

/**
 * Webhook endpoints that receive {@link CampaignEvent}s (ADMIN with all stores; every change
 * audited). The secret is generated here and shown once, in the answer to {@link #create}. Each event
 * is written to the delivery outbox in the transaction that produced it ({@link #on}), one row per
 * subscribed endpoint, and {@link WebhookDelivery} POSTs it signed with HMAC-SHA256, retrying with
 * backoff: at least once, receivers de-duplicate on the event id.
 */
@Service
public class Webhooks {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final SecureRandom RANDOM = new SecureRandom();

    /** An endpoint as listed (never with its secret). */
    public record Endpoint(
            long id,
            String url,
            Set<CampaignEvent.Type> eventTypes,
            boolean active,
            String createdBy,
            Instant createdAt,
            long pending,
            long delivered,
            long failed) {}

    /** A new endpoint with its secret: the only time the secret is shown. */
    public record Created(Endpoint endpoint, String secret) {}

    /** What to create: the receiver's URL and the event types it wants (all when empty). */
    public record EndpointCommand(String url, List<String> eventTypes) {}

    /** One delivery of one event to one endpoint. */
    public record Delivery(
            long id,
            String eventId,
            String eventType,
            String status,
            int attempts,
            Integer lastStatus,
            String lastError,
            Instant createdAt,
            Instant deliveredAt,
            Instant nextAt) {}

    private final JdbcClient jdbc;
    private final AuditLog audit;

    Webhooks(JdbcClient jdbc, AuditLog audit) {
        this.jdbc = jdbc;
        this.audit = audit;
    }

    /** For the navigation: ADMIN with all stores. */
    public boolean mayManage() {
        return CurrentStaff.get().hasAnyRole(Role.ADMIN) && CurrentStaff.scope().allStores();
    }

    /** Outbox: the event goes to every active endpoint that subscribed to its type, in this transaction. */
    @EventListener
    void on(CampaignEvent e) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("campaignId", e.campaignId());
        data.put("memberId", e.memberId());
        data.put("messageId", e.messageId());
        data.put("channel", e.channel() == null ? null : e.channel().name());
        data.put("linkNo", e.linkNo());
        data.put("saleId", e.saleId());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("id", e.eventId().toString());
        body.put("type", "campaign." + e.type().name().toLowerCase(java.util.Locale.ROOT));
        body.put("occurredAt", e.occurredAt().toString());
        body.put("data", data);
        jdbc.sql("""
                insert into campaigns.webhook_delivery (endpoint_id, event_id, event_type, payload)
                select id, ?, ?, ? from campaigns.webhook_endpoint where active and ? = any(event_types)
                on conflict (endpoint_id, event_id) do nothing""")
                .params(
                        e.eventId(),
                        e.type().name(),
                        JSON.writeValueAsString(body),
                        e.type().name())
                .update();
    }

    @Transactional(readOnly = true)
    public List<Endpoint> endpoints() {
        requireAdmin();
        return jdbc.sql("""
                select e.id, e.url, e.event_types, e.active, e.created_by, e.created_at,
                       count(d.id) filter (where d.status = 'PENDING'), count(d.id) filter (where d.status = 'DELIVERED'),
                       count(d.id) filter (where d.status = 'FAILED')
                from campaigns.webhook_endpoint e left join campaigns.webhook_delivery d on d.endpoint_id = e.id
                group by e.id order by e.active desc, e.id desc""")
                .query((rs, n) -> new Endpoint(
                        rs.getLong(1),
                        rs.getString(2),
                        types((String[]) rs.getArray(3).getArray()),
                        rs.getBoolean(4),
                        rs.getString(5),
                        rs.getTimestamp(6).toInstant(),
                        rs.getLong(7),
                        rs.getLong(8),
                        rs.getLong(9)))
                .list();
    }

    private static Set<CampaignEvent.Type> types(String[] names) {
        Set<CampaignEvent.Type> out = EnumSet.noneOf(CampaignEvent.Type.class);
        Arrays.stream(names).map(CampaignEvent.Type::valueOf).forEach(out::add);
        return out;
    }

    /** Adds an endpoint; the answer carries its secret, which is never shown again. */
    @Transactional
    public Created create(EndpointCommand cmd) {
        requireAdmin();
        List<PatronException.FieldError> errors = new ArrayList<>();
        String url = cmd == null || cmd.url() == null ? "" : cmd.url().strip();
        if (url.isEmpty()) {
            errors.add(new PatronException.FieldError("url", "validation.required"));
        } else if (!validUrl(url)) {
            errors.add(new PatronException.FieldError("url", "campaigns.gateway.badUrl"));
        } else if (url.length() > 500) {
            errors.add(new PatronException.FieldError("url", "campaign.validation.tooLong", 500));
        }
        Set<CampaignEvent.Type> types = EnumSet.noneOf(CampaignEvent.Type.class);
        if (cmd != null && cmd.eventTypes() != null) {
            for (String t : cmd.eventTypes()) {
                try {
                    types.add(CampaignEvent.Type.valueOf(t.strip().toUpperCase(java.util.Locale.ROOT)));
                } catch (RuntimeException ex) {
                    errors.add(new PatronException.FieldError("eventTypes", "campaigns.webhook.badType", t));
                }
            }
        }
        if (!errors.isEmpty()) {
            throw new PatronException(
                    HttpStatus.BAD_REQUEST,
                    errors,
                    errors.get(0).messageKey(),
                    errors.get(0).args());
        }
        if (types.isEmpty()) {
            types = EnumSet.allOf(CampaignEvent.Type.class);
        }
        byte[] raw = new byte[32];
        RANDOM.nextBytes(raw);
        String secret = "whsec_" + HexFormat.of().formatHex(raw);
        long id = jdbc.sql("""
                insert into campaigns.webhook_endpoint (url, secret, event_types, created_by) values (?, ?, ?, ?)
                returning id""")
                .params(
                        url,
                        secret,
                        types.stream().map(Enum::name).toArray(String[]::new),
                        CurrentStaff.get().auditName())
                .query(Long.class)
                .single();
        audit.record(
                "campaign.webhookCreated",
                "campaignWebhook",
                id,
                Map.of("url", url, "eventTypes", types.stream().map(Enum::name).toList()));
        Endpoint e = endpoints().stream().filter(x -> x.id() == id).findFirst().orElseThrow();
        return new Created(e, secret);
    }

    /** Switches an endpoint off: nothing more is queued or delivered to it (audited). */
    @Transactional
    public void deactivate(long id) {
        requireAdmin();
        int n = jdbc.sql("update campaigns.webhook_endpoint set active = false where id = ? and active")
                .param(id)
                .update();
        if (n == 0) {
            boolean exists = jdbc.sql("select exists (select 1 from campaigns.webhook_endpoint where id = ?)")
                    .param(id)
                    .query(Boolean.class)
                    .single();
            if (!exists) {
                throw PatronException.notFound("campaigns.webhook.notFound", id);
            }
            return;
        }
        jdbc.sql("""
                update campaigns.webhook_delivery set status = 'FAILED', last_error = 'endpoint deactivated'
                where endpoint_id = ? and status = 'PENDING'""").param(id).update();
        audit.record("campaign.webhookDeactivated", "campaignWebhook", id, Map.of());
    }

    /** The latest deliveries of an endpoint (up to 100). */
    @Transactional(readOnly = true)
    public List<Delivery> deliveries(long id) {
        requireAdmin();
        return jdbc.sql("""
                select id, event_id, event_type, status, attempts, last_status, last_error, created_at, delivered_at, next_at
                from campaigns.webhook_delivery where endpoint_id = ? order by id desc limit 100""")
                .param(id)
                .query((rs, n) -> new Delivery(
                        rs.getLong(1),
                        rs.getString(2),
                        rs.getString(3),
                        rs.getString(4),
                        rs.getInt(5),
                        (Integer) rs.getObject(6),
                        rs.getString(7),
                        rs.getTimestamp(8).toInstant(),
                        rs.getTimestamp(9) == null ? null : rs.getTimestamp(9).toInstant(),
                        rs.getTimestamp(10).toInstant()))
                .list();
    }

    private static boolean validUrl(String url) {
        try {
            URI u = URI.create(url);
            return ("http".equals(u.getScheme()) || "https".equals(u.getScheme())) && u.getHost() != null;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    static void requireAdmin() {
        CurrentStaff.requireAnyRole(Role.ADMIN);
        CurrentStaff.requireAllStores();
    }
}
