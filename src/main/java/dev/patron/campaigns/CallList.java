package dev.patron.campaigns;

import dev.patron.audit.AuditLog;
import dev.patron.members.MemberManagement;
import dev.patron.shared.security.CurrentStaff;
import dev.patron.shared.security.Role;
import dev.patron.shared.web.PageQuery;
import dev.patron.shared.web.PageResult;
import dev.patron.shared.web.PatronException;
import dev.patron.shared.web.SqlPage;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * The call list of phone campaigns for agents: members whose PHONE message was sent (queued) and
 * whose call has no outcome yet, oldest first, each with the campaign's script personalised for the
 * member. Agents record one outcome per call: REACHED, NO_ANSWER, INTERESTED or DECLINED. Reading
 * the list shows phone numbers and is audited; so is every outcome.
 */
@Service
public class CallList {

    static final Role[] AGENTS = {Role.AGENT, Role.ADMIN, Role.MARKETER};
    static final Set<String> OUTCOMES = Set.of("REACHED", "NO_ANSWER", "INTERESTED", "DECLINED");

    private final JdbcClient jdbc;
    private final Campaigns campaigns;
    private final Sending sending;
    private final SettingsStore settings;
    private final AuditLog audit;

    CallList(JdbcClient jdbc, Campaigns campaigns, Sending sending, SettingsStore settings, AuditLog audit) {
        this.jdbc = jdbc;
        this.campaigns = campaigns;
        this.sending = sending;
        this.settings = settings;
        this.audit = audit;
    }

    /** One call to make. */
    public record Call(
            long messageId,
            long campaignId,
            String campaignName,
            long memberId,
            String memberName,
            String phone,
            String script,
            Instant queuedAt) {}

    /** The outcome an agent records. */
    public record OutcomeCommand(String outcome, String note) {}

    /** Whether the caller works the call list (for the navigation). */
    public boolean mayUse() {
        return CurrentStaff.get().hasAnyRole(AGENTS) && CurrentStaff.scope().allStores();
    }

    @Transactional
    public PageResult<Call> open(PageQuery page) {
        CurrentStaff.requireAnyRole(AGENTS);
        CurrentStaff.requireAllStores();
        PageResult<long[]> ids = SqlPage.query(
                jdbc, """
                select count(*) from campaigns.message m
                where m.channel = 'PHONE' and m.status = 'SENT'
                  and not exists (select 1 from campaigns.call_outcome o where o.message_id = m.id)""", """
                select m.id, m.campaign_id, m.member_id from campaigns.message m
                where m.channel = 'PHONE' and m.status = 'SENT'
                  and not exists (select 1 from campaigns.call_outcome o where o.message_id = m.id)
                order by m.sent_at, m.id""", Map.of(), page, (rs, n) -> new long[] {rs.getLong(1), rs.getLong(2), rs.getLong(3)});
        Map<Long, Personalisation.MemberData> data = sending.memberData(
                ids.items().stream().map(r -> r[2]).distinct().toList());
        Map<Long, Campaign> byId = new HashMap<>();
        CampaignSettings s = settings.current();
        boolean clear = MemberManagement.seesContactData();
        List<Call> calls = new ArrayList<>();
        for (long[] r : ids.items()) {
            Campaign c = byId.computeIfAbsent(r[1], campaigns::load);
            Personalisation.MemberData d = data.get(r[2]);
            TemplateText t = sending.templateFor(c, Channel.PHONE);
            if (d == null || t == null) {
                continue;
            }
            String script = Composer.compose(r[0], "call", d.phone(), t, d, s, Sending.PLAIN)
                    .text();
            String phone = d.phone() == null ? null : clear ? d.phone() : mask(d.phone());
            Instant queued = jdbc.sql("select sent_at from campaigns.message where id = ?")
                    .param(r[0])
                    .query(java.sql.Timestamp.class)
                    .single()
                    .toInstant();
            calls.add(new Call(r[0], c.id(), c.name(), d.memberId(), d.name(), phone, script, queued));
        }
        audit.record("campaign.callListRead", "campaignCalls", null, Map.of("calls", calls.size()));
        return new PageResult<>(calls, ids.page(), ids.size(), ids.totalItems());
    }

    private static String mask(String phone) {
        return phone.length() <= 7
                ? "****"
                : phone.substring(0, phone.length() - 8) + "****" + phone.substring(phone.length() - 4);
    }

    /** Records the outcome of a call (once; 409 when it already has one). */
    @Transactional
    public void record(long messageId, OutcomeCommand cmd) {
        CurrentStaff.requireAnyRole(AGENTS);
        CurrentStaff.requireAllStores();
        String outcome =
                cmd == null || cmd.outcome() == null ? "" : cmd.outcome().strip();
        if (!OUTCOMES.contains(outcome)) {
            throw PatronException.invalid("outcome", "campaign.validation.outcome");
        }
        String note =
                cmd.note() == null || cmd.note().isBlank() ? null : cmd.note().strip();
        if (note != null && note.length() > 1000) {
            throw PatronException.invalid("note", "campaign.validation.tooLong", 1000);
        }
        boolean call = jdbc.sql(
                        "select exists (select 1 from campaigns.message where id = ? and channel = 'PHONE' and status = 'SENT')")
                .param(messageId)
                .query(Boolean.class)
                .single();
        if (!call) {
            throw PatronException.notFound("campaign.error.unknownMessage", String.valueOf(messageId));
        }
        int n = jdbc.sql("""
                insert into campaigns.call_outcome (message_id, outcome, note, agent) values (?, ?, ?, ?)
                on conflict (message_id) do nothing""")
                .params(messageId, outcome, note, CurrentStaff.get().auditName())
                .update();
        if (n == 0) {
            throw PatronException.conflict("outcome", "campaign.error.callRecorded");
        }
        audit.record("campaign.callOutcome", "campaignMessage", messageId, Map.of("outcome", outcome));
    }
}
