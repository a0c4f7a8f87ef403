package dev.patron.campaigns;

import dev.patron.audit.AuditLog;
import dev.patron.shared.security.CurrentStaff;
import dev.patron.shared.security.Role;
import dev.patron.shared.web.PatronException;
import io.swagger.v3.oas.annotations.media.Schema;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.HttpStatus;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * The SMS gateway configuration and the entrusted-processor register of the campaign channels
 * (MKT-15, PRV-15). The generic HTTP gateway is configured at run time (ADMIN, audited) and only for
 * a registered SMS processor; without a URL the embedded log-only adapter sends. The gateway's
 * credentials ({@code patron.campaigns.sms.authorization}) stay in the properties, never in the
 * database. The {@code patron.campaigns.sms.*} properties are the defaults until an admin saves a
 * configuration.
 */
@Service
public class SmsGateway {

    /** The generic HTTP gateway: where to POST, what, how acceptance and the gateway's id read. */
    @Schema(description = "The generic HTTP SMS gateway (url empty = log-only adapter)")
    public record Config(
            @Schema(example = "https://sms.example.com/send")
            String url,

            @Schema(example = "{\"phone\":\"${phone}\",\"text\":\"${text}\",\"outId\":\"${key}\"}")
            String bodyTemplate,

            @Schema(example = "OK") String successMarker,

            @Schema(description = "JSON path of the gateway's message id in its answer (a.b.0.c)", example = "BizId")
            String idField,

            @Schema(description = "Delivery error codes that mean the number is dead (hard failure), comma-separated")
            String hardCodes,

            String updatedBy,
            Instant updatedAt) {}

    /** An entrusted processor of members' contact data for one channel (MKT-15). */
    @Schema(description = "An entrusted processor (vendor) of a campaign channel")
    public record Processor(
            @Schema(example = "SMS") Channel channel,
            @Schema(example = "阿里云通信") String vendor,
            @Schema(example = "DPA-2026-017") String contractRef,
            @Schema(example = "mobile number, message text") String dataCategories,
            @Schema(example = "CN (Hangzhou)") String region,
            String registeredBy,
            Instant registeredAt) {}

    private final JdbcClient jdbc;
    private final AuditLog audit;
    private final String defaultUrl;
    private final String defaultTemplate;
    private final String defaultMarker;
    private final String authorization;
    private volatile Cached cached;

    private record Cached(Config config, long readAt) {}

    SmsGateway(
            JdbcClient jdbc,
            AuditLog audit,
            @Value("${patron.campaigns.sms.gateway-url:}") String defaultUrl,
            @Value("${patron.campaigns.sms.body-template:}") String defaultTemplate,
            @Value("${patron.campaigns.sms.success-marker:}") String defaultMarker,
            @Value("${patron.campaigns.sms.authorization:}") String authorization) {
        this.jdbc = jdbc;
        this.audit = audit;
        this.defaultUrl = defaultUrl;
        this.defaultTemplate = defaultTemplate;
        this.defaultMarker = defaultMarker;
        this.authorization = authorization;
    }

    String authorization() {
        return authorization;
    }

    /** The configuration in force (read at most every 5 s, at once after a change on this instance). */
    Config effective() {
        Cached c = cached;
        if (c == null || System.nanoTime() - c.readAt() > 5_000_000_000L) {
            c = new Cached(read(), System.nanoTime());
            cached = c;
        }
        return c.config();
    }

    private Config read() {
        Config c = jdbc.sql("""
                select url, body_template, success_marker, id_field, hard_codes, updated_by, updated_at
                from campaigns.sms_gateway where id = 1""")
                .query((rs, n) -> new Config(
                        rs.getString(1),
                        rs.getString(2),
                        rs.getString(3),
                        rs.getString(4),
                        rs.getString(5),
                        rs.getString(6),
                        rs.getTimestamp(7).toInstant()))
                .single();
        if (c.updatedBy() == null && !defaultUrl.isBlank()) {
            // never saved by an admin: the properties configure it
            return new Config(
                    defaultUrl,
                    defaultTemplate.isBlank() ? c.bodyTemplate() : defaultTemplate,
                    defaultMarker.isBlank() ? c.successMarker() : defaultMarker,
                    c.idField(),
                    c.hardCodes(),
                    null,
                    c.updatedAt());
        }
        return c;
    }

    Set<String> hardCodes() {
        return Arrays.stream(effective().hardCodes().split(","))
                .map(x -> x.strip().toUpperCase(Locale.ROOT))
                .filter(x -> !x.isEmpty())
                .collect(Collectors.toUnmodifiableSet());
    }

    /** The gateway configuration (ADMIN with all stores). */
    @Transactional(readOnly = true)
    public Config config() {
        requireAdmin();
        return read();
    }

    /**
     * Changes the gateway (ADMIN with all stores; audited with old and new values). A URL can be set
     * only when an SMS processor is registered (PRV-15); the body template must carry
     * {@code ${phone}} and {@code ${text}}.
     */
    @Transactional
    public Config update(Config cmd) {
        requireAdmin();
        if (cmd == null) {
            throw PatronException.invalid("url", "validation.required");
        }
        String url = cmd.url() == null || cmd.url().isBlank() ? null : cmd.url().strip();
        List<PatronException.FieldError> errors = new ArrayList<>();
        if (url != null) {
            try {
                URI u = URI.create(url);
                if (!("http".equals(u.getScheme()) || "https".equals(u.getScheme())) || u.getHost() == null) {
                    errors.add(new PatronException.FieldError("url", "campaigns.gateway.badUrl"));
                }
            } catch (IllegalArgumentException e) {
                errors.add(new PatronException.FieldError("url", "campaigns.gateway.badUrl"));
            }
            if (processor(Channel.SMS) == null) {
                errors.add(new PatronException.FieldError("url", "campaigns.gateway.unregistered"));
            }
        }
        String template = cmd.bodyTemplate() == null ? "" : cmd.bodyTemplate().strip();
        if (!template.contains("${phone}") || !template.contains("${text}")) {
            errors.add(new PatronException.FieldError("bodyTemplate", "campaigns.gateway.badTemplate"));
        }
        String marker = cmd.successMarker() == null ? "" : cmd.successMarker().strip();
        if (marker.isEmpty()) {
            errors.add(new PatronException.FieldError("successMarker", "validation.required"));
        }
        String idField = cmd.idField() == null ? "" : cmd.idField().strip();
        if (!idField.matches("[A-Za-z0-9_]+(\\.[A-Za-z0-9_]+)*")) {
            errors.add(new PatronException.FieldError("idField", "campaigns.gateway.badIdField"));
        }
        String hard = cmd.hardCodes() == null ? "" : cmd.hardCodes().strip();
        if (template.length() > 2000 || hard.length() > 2000) {
            errors.add(new PatronException.FieldError(
                    template.length() > 2000 ? "bodyTemplate" : "hardCodes", "campaign.validation.tooLong", 2000));
        }
        if (!errors.isEmpty()) {
            throw new PatronException(
                    HttpStatus.UNPROCESSABLE_ENTITY,
                    errors,
                    errors.get(0).messageKey(),
                    errors.get(0).args());
        }
        Config old = read();
        jdbc.sql("""
                update campaigns.sms_gateway set url = ?, body_template = ?, success_marker = ?, id_field = ?,
                  hard_codes = ?, updated_by = ?, updated_at = now() where id = 1""")
                .params(url, template, marker, idField, hard, CurrentStaff.get().auditName())
                .update();
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("old", describe(old));
        details.put("new", describe(new Config(url, template, marker, idField, hard, null, null)));
        audit.record("campaign.smsGatewayChanged", "campaignSettings", 1, details);
        cached = null;
        return read();
    }

    private static Map<String, Object> describe(Config c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("url", c.url() == null ? "" : c.url());
        m.put("bodyTemplate", c.bodyTemplate());
        m.put("successMarker", c.successMarker());
        m.put("idField", c.idField());
        m.put("hardCodes", c.hardCodes());
        return m;
    }

    /** The processor register of the campaign channels (ADMIN, MARKETER, ANALYST with all stores). */
    @Transactional(readOnly = true)
    public List<Processor> processors() {
        Campaigns.requireReader();
        return jdbc.sql("""
                select channel, vendor, contract_ref, data_categories, region, registered_by, registered_at
                from campaigns.processor order by channel""")
                .query((rs, n) -> new Processor(
                        Channel.valueOf(rs.getString(1)),
                        rs.getString(2),
                        rs.getString(3),
                        rs.getString(4),
                        rs.getString(5),
                        rs.getString(6),
                        rs.getTimestamp(7).toInstant()))
                .list();
    }

    Processor processor(Channel channel) {
        return jdbc.sql("""
                select channel, vendor, contract_ref, data_categories, region, registered_by, registered_at
                from campaigns.processor where channel = ?""")
                .param(channel.name())
                .query((rs, n) -> new Processor(
                        Channel.valueOf(rs.getString(1)),
                        rs.getString(2),
                        rs.getString(3),
                        rs.getString(4),
                        rs.getString(5),
                        rs.getString(6),
                        rs.getTimestamp(7).toInstant()))
                .optional()
                .orElse(null);
    }

    /**
     * Registers (or replaces) the entrusted processor of EMAIL or SMS with its contract reference,
     * data categories and region (ADMIN with all stores; audited).
     */
    @Transactional
    public Processor register(Processor cmd) {
        requireAdmin();
        if (cmd == null || cmd.channel() == null) {
            throw PatronException.invalid("channel", "validation.required");
        }
        if (cmd.channel() == Channel.PHONE) {
            throw PatronException.invalid("channel", "campaigns.processor.channel");
        }
        List<PatronException.FieldError> errors = new ArrayList<>();
        String vendor = required(cmd.vendor(), "vendor", errors);
        String contract = required(cmd.contractRef(), "contractRef", errors);
        String categories = required(cmd.dataCategories(), "dataCategories", errors);
        String region = required(cmd.region(), "region", errors);
        if (!errors.isEmpty()) {
            throw new PatronException(
                    HttpStatus.UNPROCESSABLE_ENTITY,
                    errors,
                    errors.get(0).messageKey(),
                    errors.get(0).args());
        }
        jdbc.sql("""
                insert into campaigns.processor (channel, vendor, contract_ref, data_categories, region, registered_by)
                values (?, ?, ?, ?, ?, ?)
                on conflict (channel) do update set vendor = excluded.vendor, contract_ref = excluded.contract_ref,
                  data_categories = excluded.data_categories, region = excluded.region,
                  registered_by = excluded.registered_by, registered_at = now()""")
                .params(
                        cmd.channel().name(),
                        vendor,
                        contract,
                        categories,
                        region,
                        CurrentStaff.get().auditName())
                .update();
        audit.record(
                "campaign.processorRegistered",
                "campaignProcessor",
                cmd.channel().name(),
                Map.of("vendor", vendor, "contractRef", contract, "region", region));
        return processor(cmd.channel());
    }

    private static String required(String v, String field, List<PatronException.FieldError> errors) {
        if (v == null || v.isBlank()) {
            errors.add(new PatronException.FieldError(field, "validation.required"));
            return null;
        }
        if (v.strip().length() > 200) {
            errors.add(new PatronException.FieldError(field, "campaign.validation.tooLong", 200));
            return null;
        }
        return v.strip();
    }

    private static void requireAdmin() {
        CurrentStaff.requireAnyRole(Role.ADMIN);
        CurrentStaff.requireAllStores();
    }
}
