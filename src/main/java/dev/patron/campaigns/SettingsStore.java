package dev.patron.campaigns;

import dev.patron.audit.AuditLog;
import dev.patron.shared.security.CurrentStaff;
import dev.patron.shared.security.Role;
import dev.patron.shared.web.PatronException;
import java.math.BigDecimal;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

/** Reads and changes the one settings row; the tracking secret never leaves this class and Tokens. */
@Component
class SettingsStore {

    private final JdbcClient jdbc;
    private final AuditLog audit;

    SettingsStore(JdbcClient jdbc, AuditLog audit) {
        this.jdbc = jdbc;
        this.audit = audit;
    }

    CampaignSettings current() {
        return jdbc.sql("""
                select smtp_host, smtp_port, from_address, sender_name, sender_contact, sms_signature, frequency_cap,
                       quiet_start, quiet_end, rate_per_second, batch_size, max_attempts, email_cost_fen, sms_cost_fen,
                       point_cost_fen, public_base_url
                from campaigns.settings where id = 1""")
                .query((rs, n) -> new CampaignSettings(
                        rs.getString(1),
                        rs.getInt(2),
                        rs.getString(3),
                        rs.getString(4),
                        rs.getString(5),
                        rs.getString(6),
                        rs.getInt(7),
                        rs.getTime(8).toLocalTime(),
                        rs.getTime(9).toLocalTime(),
                        rs.getInt(10),
                        rs.getInt(11),
                        rs.getInt(12),
                        rs.getBigDecimal(13),
                        rs.getBigDecimal(14),
                        rs.getBigDecimal(15),
                        rs.getString(16)))
                .single();
    }

    private volatile String secret;

    /**
     * The key of the tracking links' signatures: set once by the schema migration and never changed
     * by Patron, so it is read once per process (every open and click needs it; an operator who
     * changes it in the database restarts Patron).
     */
    String secret() {
        String s = secret;
        if (s == null) {
            s = jdbc.sql("select tracking_secret from campaigns.settings where id = 1")
                    .query(String.class)
                    .single();
            secret = s;
        }
        return s;
    }

    /** Changes the settings (ADMIN with all stores; audited with old and new values). */
    @Transactional
    CampaignSettings update(CampaignSettings s) {
        CurrentStaff.requireAnyRole(Role.ADMIN);
        CurrentStaff.requireAllStores();
        List<PatronException.FieldError> errors = new ArrayList<>();
        required(errors, "smtpHost", s.smtpHost(), 255);
        range(errors, "smtpPort", s.smtpPort(), 1, 65535);
        required(errors, "fromAddress", s.fromAddress(), 255);
        if (s.fromAddress() != null && !s.fromAddress().matches("[^@\\s]+@[^@\\s]+\\.[^@\\s]+")) {
            errors.add(new PatronException.FieldError("fromAddress", "campaign.validation.email"));
        }
        required(errors, "senderName", s.senderName(), 100);
        required(errors, "senderContact", s.senderContact(), 100);
        required(errors, "smsSignature", s.smsSignature(), 12);
        if (s.smsSignature() != null && s.smsSignature().strip().length() < 2) {
            errors.add(new PatronException.FieldError("smsSignature", "campaign.validation.signature"));
        }
        range(errors, "frequencyCap", s.frequencyCap(), 1, 50);
        if (s.quietStart() == null) {
            errors.add(new PatronException.FieldError("quietStart", "validation.required"));
        }
        if (s.quietEnd() == null) {
            errors.add(new PatronException.FieldError("quietEnd", "validation.required"));
        }
        range(errors, "ratePerSecond", s.ratePerSecond(), 1, 5000);
        range(errors, "batchSize", s.batchSize(), 1, 5000);
        range(errors, "maxAttempts", s.maxAttempts(), 1, 10);
        cost(errors, "emailCostFen", s.emailCostFen());
        cost(errors, "smsCostFen", s.smsCostFen());
        cost(errors, "pointCostFen", s.pointCostFen());
        required(errors, "publicBaseUrl", s.publicBaseUrl(), 255);
        if (s.publicBaseUrl() != null) {
            try {
                URI u = URI.create(s.publicBaseUrl().strip());
                if (!"http".equals(u.getScheme()) && !"https".equals(u.getScheme()) || u.getHost() == null) {
                    errors.add(new PatronException.FieldError("publicBaseUrl", "campaign.validation.url"));
                }
            } catch (IllegalArgumentException e) {
                errors.add(new PatronException.FieldError("publicBaseUrl", "campaign.validation.url"));
            }
        }
        if (!errors.isEmpty()) {
            throw new PatronException(HttpStatus.BAD_REQUEST, errors, "error.validation");
        }
        CampaignSettings old = current();
        jdbc.sql("""
                update campaigns.settings set smtp_host = ?, smtp_port = ?, from_address = ?, sender_name = ?,
                  sender_contact = ?, sms_signature = ?, frequency_cap = ?, quiet_start = ?, quiet_end = ?,
                  rate_per_second = ?, batch_size = ?, max_attempts = ?, email_cost_fen = ?, sms_cost_fen = ?,
                  point_cost_fen = ?, public_base_url = ?, updated_at = now()
                where id = 1""")
                .params(
                        s.smtpHost().strip(),
                        s.smtpPort(),
                        s.fromAddress().strip(),
                        s.senderName().strip(),
                        s.senderContact().strip(),
                        s.smsSignature().strip(),
                        s.frequencyCap(),
                        s.quietStart(),
                        s.quietEnd(),
                        s.ratePerSecond(),
                        s.batchSize(),
                        s.maxAttempts(),
                        s.emailCostFen(),
                        s.smsCostFen(),
                        s.pointCostFen(),
                        stripSlash(s.publicBaseUrl().strip()))
                .update();
        CampaignSettings now = current();
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("old", old.toString());
        details.put("new", now.toString());
        audit.record("campaign.settingsChanged", "campaignSettings", 1, details);
        return now;
    }

    private static String stripSlash(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    private static void required(List<PatronException.FieldError> errors, String field, String value, int max) {
        if (value == null || value.isBlank()) {
            errors.add(new PatronException.FieldError(field, "validation.required"));
        } else if (value.strip().length() > max) {
            errors.add(new PatronException.FieldError(field, "campaign.validation.tooLong", max));
        }
    }

    private static void range(List<PatronException.FieldError> errors, String field, Integer value, int min, int max) {
        if (value == null) {
            errors.add(new PatronException.FieldError(field, "validation.required"));
        } else if (value < min || value > max) {
            errors.add(new PatronException.FieldError(field, "campaign.validation.range", min, max));
        }
    }

    private static void cost(List<PatronException.FieldError> errors, String field, BigDecimal value) {
        if (value == null) {
            errors.add(new PatronException.FieldError(field, "validation.required"));
        } else if (value.signum() < 0 || value.compareTo(BigDecimal.valueOf(1_000_000)) > 0) {
            errors.add(new PatronException.FieldError(field, "campaign.validation.range", 0, 1_000_000));
        }
    }
}
