package dev.patron.campaigns;

import dev.patron.audit.AuditLog;
import dev.patron.shared.security.CurrentStaff;
import dev.patron.shared.web.PatronException;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.HttpStatus;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * MKT-17 complaint intake: a complaint about a marketing message (from the member, the call centre or
 * forwarded by 12321) is logged with a due date — {@code patron.campaigns.complaint-working-days}
 * (default 15) working days, Monday to Friday (public holidays are not known to Patron: staff move
 * the date by closing early) — and linked to the message record: the given message id, else the last
 * message SENT to the phone or e-mail address; closed with the resolution once handled. MARKETER,
 * ADMIN with all stores; audited.
 */
@Service
public class Complaints {

    /** A complaint as read back. */
    public record Complaint(
            long id,
            String source,
            String phone,
            String email,
            Long messageId,
            Long campaignId,
            String text,
            LocalDate receivedOn,
            LocalDate dueOn,
            String status,
            String resolution,
            String createdBy,
            Instant createdAt,
            String closedBy,
            Instant closedAt) {}

    /** What to log. */
    public record ComplaintCommand(String source, String phone, String email, Long messageId, String text) {}

    /** How a complaint was resolved (what was done, e.g. "会员已退订，已致电道歉"). */
    public record CloseCommand(String resolution) {}

    private final JdbcClient jdbc;
    private final AuditLog audit;
    private final CampaignClock clock;
    private final int workingDays;

    Complaints(
            JdbcClient jdbc,
            AuditLog audit,
            CampaignClock clock,
            @Value("${patron.campaigns.complaint-working-days:15}") int workingDays) {
        this.jdbc = jdbc;
        this.audit = audit;
        this.clock = clock;
        this.workingDays = workingDays;
    }

    /** {@code days} working days (Monday–Friday) after {@code from}. */
    static LocalDate addWorkingDays(LocalDate from, int days) {
        LocalDate d = from;
        int left = days;
        while (left > 0) {
            d = d.plusDays(1);
            if (d.getDayOfWeek() != DayOfWeek.SATURDAY && d.getDayOfWeek() != DayOfWeek.SUNDAY) {
                left--;
            }
        }
        return d;
    }

    @Transactional
    public Complaint log(ComplaintCommand cmd) {
        Campaigns.requirePlanner();
        List<PatronException.FieldError> errors = new ArrayList<>();
        String source =
                cmd == null || cmd.source() == null ? "" : cmd.source().strip().toUpperCase(Locale.ROOT);
        if (!List.of("DIRECT", "CALL_CENTER", "REGULATOR_12321", "OTHER").contains(source)) {
            errors.add(new PatronException.FieldError("source", "campaigns.complaint.source"));
        }
        String text = cmd == null || cmd.text() == null ? "" : cmd.text().strip();
        if (text.isEmpty()) {
            errors.add(new PatronException.FieldError("text", "validation.required"));
        } else if (text.length() > 4000) {
            errors.add(new PatronException.FieldError("text", "campaign.validation.tooLong", 4000));
        }
        String phone = null;
        if (cmd != null && cmd.phone() != null && !cmd.phone().isBlank()) {
            phone = CampaignTracking.e164(cmd.phone());
            if (phone == null) {
                errors.add(new PatronException.FieldError("phone", "campaign.validation.phone"));
            }
        }
        String email = cmd == null || cmd.email() == null || cmd.email().isBlank()
                ? null
                : cmd.email().strip().toLowerCase(Locale.ROOT);
        if (cmd != null && cmd.messageId() == null && phone == null && email == null) {
            errors.add(new PatronException.FieldError("phone", "campaigns.complaint.whom"));
        }
        if (!errors.isEmpty()) {
            throw new PatronException(
                    HttpStatus.BAD_REQUEST,
                    errors,
                    errors.get(0).messageKey(),
                    errors.get(0).args());
        }
        Long messageId = cmd.messageId();
        if (messageId != null) {
            boolean exists = jdbc.sql("select exists (select 1 from campaigns.message where id = ?)")
                    .param(messageId)
                    .query(Boolean.class)
                    .single();
            if (!exists) {
                throw PatronException.unknownReference("messageId", "campaign.error.unknownMessage", messageId);
            }
        } else {
            messageId = jdbc.sql("""
                    select id from campaigns.message
                    where status = 'SENT' and ((channel in ('SMS', 'PHONE') and address = ?) or (channel = 'EMAIL' and address = ?))
                    order by sent_at desc limit 1""")
                    .params(phone, email)
                    .query(Long.class)
                    .optional()
                    .orElse(null);
        }
        LocalDate today = LocalDate.ofInstant(clock.now(), Sending.DEFAULT_ZONE);
        long id = jdbc.sql("""
                insert into campaigns.complaint (source, phone, email, message_id, text, received_on, due_on, created_by)
                values (?, ?, ?, ?, ?, ?, ?, ?) returning id""")
                .params(
                        source,
                        phone,
                        email,
                        messageId,
                        text,
                        today,
                        addWorkingDays(today, workingDays),
                        CurrentStaff.get().auditName())
                .query(Long.class)
                .single();
        audit.record(
                "campaign.complaintLogged",
                "campaignComplaint",
                id,
                Map.of("source", source, "message", messageId == null ? "" : messageId));
        return find(id);
    }

    /**
     * Closes an open complaint with its resolution (MARKETER, ADMIN; audited). 404 for an unknown
     * complaint, 409 for one already closed, 400 without a resolution.
     */
    @Transactional
    public Complaint close(long id, CloseCommand cmd) {
        Campaigns.requirePlanner();
        String resolution =
                cmd == null || cmd.resolution() == null ? "" : cmd.resolution().strip();
        if (resolution.isEmpty()) {
            throw PatronException.invalid("resolution", "validation.required");
        }
        if (resolution.length() > 4000) {
            throw PatronException.invalid("resolution", "campaign.validation.tooLong", 4000);
        }
        String status = jdbc.sql("select status from campaigns.complaint where id = ? for update")
                .param(id)
                .query(String.class)
                .optional()
                .orElseThrow(() -> PatronException.notFound("campaigns.complaint.unknown", id));
        if (!"OPEN".equals(status)) {
            throw PatronException.conflict("status", "campaigns.complaint.closed", id);
        }
        jdbc.sql("""
                update campaigns.complaint set status = 'CLOSED', resolution = ?, closed_by = ?, closed_at = now()
                where id = ?""").params(resolution, CurrentStaff.get().auditName(), id).update();
        audit.record("campaign.complaintClosed", "campaignComplaint", id, Map.of());
        return find(id);
    }

    /** Open complaints first, by due date (readers of campaigns). */
    @Transactional(readOnly = true)
    public List<Complaint> list() {
        Campaigns.requireReader();
        return jdbc.sql(SELECT + " order by c.status desc, c.due_on, c.id limit 500")
                .query((rs, n) -> row(rs))
                .list();
    }

    private Complaint find(long id) {
        return jdbc.sql(SELECT + " where c.id = ?")
                .param(id)
                .query((rs, n) -> row(rs))
                .single();
    }

    private static final String SELECT = """
            select c.id, c.source, c.phone, c.email, c.message_id, m.campaign_id, c.text, c.received_on, c.due_on,
                   c.status, c.resolution, c.created_by, c.created_at, c.closed_by, c.closed_at
            from campaigns.complaint c left join campaigns.message m on m.id = c.message_id""";

    private static Complaint row(java.sql.ResultSet rs) throws java.sql.SQLException {
        return new Complaint(
                rs.getLong(1),
                rs.getString(2),
                rs.getString(3),
                rs.getString(4),
                (Long) rs.getObject(5),
                (Long) rs.getObject(6),
                rs.getString(7),
                rs.getObject(8, LocalDate.class),
                rs.getObject(9, LocalDate.class),
                rs.getString(10),
                rs.getString(11),
                rs.getString(12),
                rs.getTimestamp(13).toInstant(),
                rs.getString(14),
                rs.getTimestamp(15) == null ? null : rs.getTimestamp(15).toInstant());
    }
}
