package dev.patron.campaigns;

import dev.patron.audit.AuditLog;
import dev.patron.shared.security.CurrentStaff;
import dev.patron.shared.security.Role;
import dev.patron.shared.web.PageQuery;
import dev.patron.shared.web.PageResult;
import dev.patron.shared.web.PatronException;
import dev.patron.shared.web.SqlPage;
import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ThreadLocalRandom;
import org.springframework.http.HttpStatus;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * The campaigns API: plan a campaign (draft), give it an audience, submit it, have a second person
 * approve it (which freezes the audience and draws the control group), schedule, cancel, copy as
 * new; preview and test-send messages; follow the sending; read the results. Marketers and admins
 * with all stores plan and approve; analysts read. Every step is recorded in {@code campaigns.step}
 * and in the audit log, in the transaction that makes it.
 */
@Service
public class Campaigns {

    static final Role[] PLANNERS = {Role.ADMIN, Role.MARKETER};
    static final Role[] READERS = {Role.ADMIN, Role.MARKETER, Role.ANALYST};
    private static final Map<String, String> SORT = Map.of(
            "id", "c.id", "name", "c.name", "status", "c.status", "periodStart", "c.period_start", "kind", "c.kind");

    private final JdbcClient jdbc;
    private final AuditLog audit;
    private final AudienceLists audiences;
    private final NoticeRules notices;
    private final SettingsStore settings;
    private final Sending sending;
    private final Responses responses;
    private final CampaignClock clock;

    Campaigns(
            JdbcClient jdbc,
            AuditLog audit,
            AudienceLists audiences,
            SettingsStore settings,
            Sending sending,
            Responses responses,
            CampaignClock clock,
            NoticeRules notices) {
        this.notices = notices;
        this.jdbc = jdbc;
        this.audit = audit;
        this.audiences = audiences;
        this.settings = settings;
        this.sending = sending;
        this.responses = responses;
        this.clock = clock;
    }

    static void requirePlanner() {
        CurrentStaff.requireAnyRole(PLANNERS);
        CurrentStaff.requireAllStores();
    }

    static void requireReader() {
        CurrentStaff.requireAnyRole(READERS);
        CurrentStaff.requireAllStores();
    }

    /** Whether the caller may see campaigns (for the navigation). */
    public boolean mayRead() {
        return CurrentStaff.get().hasAnyRole(READERS) && CurrentStaff.scope().allStores();
    }

    // ------------------------------------------------------------------ reading

    /** Campaigns, newest first by default; {@code q} matches the name, {@code status} filters. */
    @Transactional(readOnly = true)
    public PageResult<CampaignSummary> list(PageQuery page, CampaignStatus status) {
        requireReader();
        List<String> where = new ArrayList<>();
        Map<String, Object> params = new HashMap<>();
        if (page.q() != null) {
            where.add("c.name ilike :q");
            params.put("q", page.likePattern());
        }
        if (status != null) {
            where.add("c.status = :status");
            params.put("status", status.name());
        }
        String w = where.isEmpty() ? "" : " where " + String.join(" and ", where);
        String order = page.sort() == null ? " order by c.id desc" : " order by " + page.orderBy(SORT, "id");
        return SqlPage.query(
                jdbc,
                "select count(*) from campaigns.campaign c" + w,
                """
                select c.id, c.name, c.kind, c.status, c.owner, c.period_start, c.period_end,
                       array_to_string(c.channels, ', '),
                       (select count(*) from campaigns.audience_member a where a.campaign_id = c.id),
                       (select count(*) from campaigns.message m where m.campaign_id = c.id and m.status = 'SENT')
                from campaigns.campaign c""" + w + order,
                params,
                page,
                (rs, n) -> new CampaignSummary(
                        rs.getLong(1),
                        rs.getString(2),
                        CampaignKind.valueOf(rs.getString(3)),
                        CampaignStatus.valueOf(rs.getString(4)),
                        rs.getString(5),
                        rs.getObject(6, LocalDate.class),
                        rs.getObject(7, LocalDate.class),
                        rs.getString(8),
                        rs.getLong(9),
                        rs.getLong(10)));
    }

    @Transactional(readOnly = true)
    public Campaign campaign(long id) {
        requireReader();
        return load(id);
    }

    Campaign load(long id) {
        Campaign c = jdbc.sql("""
                select c.*, b.code as brand_code,
                       (select count(*) from campaigns.audience_member a where a.campaign_id = c.id) as audience_size,
                       (select count(*) from campaigns.audience_member a where a.campaign_id = c.id and a.control)
                           as control_size
                from campaigns.campaign c left join organization.v_brand b on b.id = c.brand_id
                where c.id = ?""")
                .param(id)
                .query((rs, n) -> row(rs))
                .optional()
                .orElseThrow(() -> PatronException.notFound("campaign.error.notFound", id));
        return c;
    }

    private Campaign row(ResultSet rs) throws SQLException {
        long id = rs.getLong("id");
        Set<Channel> channels = EnumSet.noneOf(Channel.class);
        Array arr = rs.getArray("channels");
        for (Object o : (Object[]) arr.getArray()) {
            channels.add(Channel.valueOf((String) o));
        }
        List<TemplateText> templates = jdbc.sql(
                        "select channel, lang, subject, body, html, type from campaigns.template where campaign_id = ? order by channel, lang")
                .param(id)
                .query((r, n) -> new TemplateText(
                        Channel.valueOf(r.getString(1)),
                        r.getString(2),
                        r.getString(3),
                        r.getString(4),
                        r.getString(5),
                        TemplateType.valueOf(r.getString(6))))
                .list();
        List<Campaign.Step> steps = jdbc.sql(
                        "select from_status, to_status, actor, at, comment from campaigns.step where campaign_id = ? order by id")
                .param(id)
                .query((r, n) -> new Campaign.Step(
                        r.getString(1) == null ? null : CampaignStatus.valueOf(r.getString(1)),
                        CampaignStatus.valueOf(r.getString(2)),
                        r.getString(3),
                        r.getTimestamp(4).toInstant(),
                        r.getString(5)))
                .list();
        Long source = rs.getObject("source_campaign_id", Long.class);
        return new Campaign(
                id,
                rs.getString("name"),
                CampaignKind.valueOf(rs.getString("kind")),
                rs.getString("goal"),
                rs.getString("brand_code"),
                rs.getString("owner"),
                rs.getObject("period_start", LocalDate.class),
                rs.getObject("period_end", LocalDate.class),
                rs.getLong("budget_fen"),
                rs.getLong("other_cost_fen"),
                channels,
                rs.getInt("control_pct"),
                rs.getInt("attribution_days"),
                Audience.AudienceKind.valueOf(rs.getString("audience_kind")),
                rs.getLong("bonus_points"),
                rs.getString("gift_name"),
                rs.getLong("gift_cost_fen"),
                rs.getInt("gifts_handed_out"),
                CampaignStatus.valueOf(rs.getString("status")),
                source,
                rs.getString("submitted_by"),
                rs.getString("approved_by"),
                instant(rs.getTimestamp("send_at")),
                instant(rs.getTimestamp("frozen_at")),
                instant(rs.getTimestamp("started_at")),
                instant(rs.getTimestamp("finished_at")),
                rs.getLong("audience_size"),
                rs.getLong("control_size"),
                templates,
                steps);
    }

    private static Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }

    // ------------------------------------------------------------------ planning

    /** A new draft owned by the caller (MARKETER or ADMIN with all stores; audited). */
    @Transactional
    public Campaign create(CampaignCommand cmd) {
        requirePlanner();
        Valid v = validate(cmd);
        String me = CurrentStaff.get().auditName();
        long id = jdbc.sql("""
                insert into campaigns.campaign (name, kind, goal, brand_id, owner, period_start, period_end, budget_fen,
                  other_cost_fen, channels, control_pct, control_seed, attribution_days, bonus_points, gift_name,
                  gift_cost_fen)
                values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?::text[], ?, ?, ?, ?, ?, ?) returning id""")
                .params(
                        v.name,
                        cmd.kind().name(),
                        v.goal,
                        v.brandId,
                        me,
                        cmd.periodStart(),
                        cmd.periodEnd(),
                        v.budget,
                        v.otherCost,
                        v.channelsArray(),
                        v.controlPct,
                        ThreadLocalRandom.current().nextLong(),
                        v.attributionDays,
                        v.bonusPoints,
                        v.giftName,
                        v.giftCost)
                .query(Long.class)
                .single();
        saveTemplates(id, cmd.kind(), cmd.templates());
        step(id, null, CampaignStatus.DRAFT, null);
        audit.record("campaign.created", "campaign", id, Map.of("name", v.name));
        return load(id);
    }

    /** Changes a draft (MARKETER or ADMIN; only in DRAFT; audited). */
    @Transactional
    public Campaign update(long id, CampaignCommand cmd) {
        requirePlanner();
        Campaign c = lock(id);
        requireStatus(c, CampaignStatus.DRAFT);
        Valid v = validate(cmd);
        jdbc.sql("""
                update campaigns.campaign set name = ?, kind = ?, goal = ?, brand_id = ?, period_start = ?, period_end = ?,
                  budget_fen = ?, other_cost_fen = ?, channels = ?::text[], control_pct = ?, attribution_days = ?,
                  bonus_points = ?, gift_name = ?, gift_cost_fen = ?, updated_at = now()
                where id = ?""")
                .params(
                        v.name,
                        cmd.kind().name(),
                        v.goal,
                        v.brandId,
                        cmd.periodStart(),
                        cmd.periodEnd(),
                        v.budget,
                        v.otherCost,
                        v.channelsArray(),
                        v.controlPct,
                        v.attributionDays,
                        v.bonusPoints,
                        v.giftName,
                        v.giftCost,
                        id)
                .update();
        jdbc.sql("delete from campaigns.template where campaign_id = ?")
                .param(id)
                .update();
        saveTemplates(id, cmd.kind(), cmd.templates());
        audit.record("campaign.updated", "campaign", id, Map.of("name", v.name));
        return load(id);
    }

    /** Replaces the draft's audience; a static list is resolved at once and reported row by row. */
    @Transactional
    public Audience.Report setAudience(long id, Audience audience) {
        requirePlanner();
        Campaign c = lock(id);
        requireStatus(c, CampaignStatus.DRAFT);
        if (audience instanceof Audience.SegmentSnapshot snap) {
            if (snap.snapshotId() <= 0) {
                throw PatronException.invalid("snapshotId", "validation.required");
            }
            Audience.Report report = audiences.replaceFromSnapshot(id, snap.snapshotId());
            audit.record(
                    "campaign.audienceSet",
                    "campaign",
                    id,
                    Map.of("snapshot", snap.snapshotId(), "members", report.members()));
            return report;
        }
        Audience.StaticList list = (Audience.StaticList) audience;
        if (list.entries() == null || list.entries().isEmpty()) {
            throw PatronException.invalid("entries", "validation.required");
        }
        if (list.entries().size() > AudienceLists.MAX_ROWS) {
            throw PatronException.invalid("entries", "campaign.validation.tooManyRows", AudienceLists.MAX_ROWS);
        }
        Audience.Report report = audiences.replace(id, list.entries());
        audit.record(
                "campaign.audienceSet",
                "campaign",
                id,
                Map.of("rows", report.rows(), "members", report.members(), "problems", report.problems()));
        return report;
    }

    @Transactional(readOnly = true)
    public Audience.Report audienceReport(long id) {
        requireReader();
        load(id);
        return audiences.report(id);
    }

    /** Records how many gifts were handed out (for the cost; MARKETER or ADMIN; audited). */
    @Transactional
    public Campaign recordGifts(long id, int handedOut) {
        requirePlanner();
        lock(id);
        if (handedOut < 0 || handedOut > 10_000_000) {
            throw PatronException.invalid("giftsHandedOut", "campaign.validation.range", 0, 10_000_000);
        }
        jdbc.sql("update campaigns.campaign set gifts_handed_out = ?, updated_at = now() where id = ?")
                .params(handedOut, id)
                .update();
        audit.record("campaign.giftsRecorded", "campaign", id, Map.of("giftsHandedOut", handedOut));
        return load(id);
    }

    // ------------------------------------------------------------------ lifecycle

    @Transactional
    public Campaign submit(long id, String comment) {
        requirePlanner();
        Campaign c = lock(id);
        requireStatus(c, CampaignStatus.DRAFT);
        if (c.audienceSize() == 0) {
            throw unprocessable("audience", "campaign.error.noAudience");
        }
        jdbc.sql(
                        "update campaigns.campaign set status = 'SUBMITTED', submitted_by = ?, updated_at = now() where id = ?")
                .params(CurrentStaff.get().auditName(), id)
                .update();
        templateStatus(id, "SUBMITTED", null);
        return moved(c, CampaignStatus.SUBMITTED, comment);
    }

    /** Sends a submitted campaign back to its author. */
    @Transactional
    public Campaign reject(long id, String comment) {
        requirePlanner();
        Campaign c = lock(id);
        requireStatus(c, CampaignStatus.SUBMITTED);
        if (comment == null || comment.isBlank()) {
            throw PatronException.invalid("comment", "validation.required");
        }
        jdbc.sql("update campaigns.campaign set status = 'DRAFT', updated_at = now() where id = ?")
                .param(id)
                .update();
        templateStatus(id, "REJECTED", null);
        return moved(c, CampaignStatus.DRAFT, comment);
    }

    /**
     * A second person approves: not the submitter. Refused with the reason when a template uses a
     * variable that does not exist, a channel lacks its Chinese template, or no member of the audience
     * may be sent anything (consent, address). Approval freezes the audience: the control group is
     * drawn (seeded per campaign, so the draw is reproducible) and who is eligible is recorded.
     */
    @Transactional
    public Campaign approve(long id, String comment) {
        requirePlanner();
        Campaign c = lock(id);
        requireStatus(c, CampaignStatus.SUBMITTED);
        String me = CurrentStaff.get().auditName();
        if (me.equals(c.submittedBy())) {
            throw new PatronException(HttpStatus.FORBIDDEN, "campaign.error.sameApprover");
        }
        List<PatronException.FieldError> problems = templateProblems(c);
        if (!problems.isEmpty()) {
            throw new PatronException(
                    HttpStatus.UNPROCESSABLE_ENTITY,
                    problems,
                    problems.get(0).messageKey(),
                    problems.get(0).args());
        }
        long eligible = audiences.freeze(id);
        if (eligible == 0) {
            throw unprocessable("audience", "campaign.error.noEligible");
        }
        jdbc.sql(
                        "update campaigns.campaign set status = 'APPROVED', approved_by = ?, frozen_at = now(), updated_at = now() where id = ?")
                .params(me, id)
                .update();
        templateStatus(id, "APPROVED", me);
        return moved(c, CampaignStatus.APPROVED, comment);
    }

    /** Schedules an approved campaign to start sending at {@code sendAt} (now when null or past). */
    @Transactional
    public Campaign schedule(long id, Instant sendAt, String comment) {
        requirePlanner();
        Campaign c = lock(id);
        requireStatus(c, CampaignStatus.APPROVED);
        Instant at = sendAt == null || sendAt.isBefore(clock.now()) ? clock.now() : sendAt;
        jdbc.sql("update campaigns.campaign set status = 'SCHEDULED', send_at = ?, updated_at = now() where id = ?")
                .params(Timestamp.from(at), id)
                .update();
        return moved(c, CampaignStatus.SCHEDULED, comment);
    }

    /** Cancels a campaign that has not finished; messages not yet sent are suppressed. */
    @Transactional
    public Campaign cancel(long id, String comment) {
        requirePlanner();
        Campaign c = lock(id);
        if (!CampaignStatus.CANCELLABLE.contains(c.status())) {
            throw conflict(c);
        }
        jdbc.sql(
                        "update campaigns.message set status = 'SUPPRESSED', reason = 'CANCELLED' where campaign_id = ? and status = 'PENDING'")
                .param(id)
                .update();
        jdbc.sql(
                        "update campaigns.campaign set status = 'CANCELLED', finished_at = now(), updated_at = now() where id = ?")
                .param(id)
                .update();
        return moved(c, CampaignStatus.CANCELLED, comment);
    }

    /** "Copy as new" (PDCA): a new draft with the plan, templates and audience list of {@code id}. */
    @Transactional
    public Campaign copy(long id) {
        requirePlanner();
        Campaign src = load(id);
        String me = CurrentStaff.get().auditName();
        long copy = jdbc.sql("""
                insert into campaigns.campaign (name, kind, goal, brand_id, owner, period_start, period_end, budget_fen,
                  other_cost_fen, channels, control_pct, control_seed, attribution_days, audience_kind, bonus_points,
                  gift_name, gift_cost_fen, source_campaign_id, audience_snapshot_id, personal_target)
                select left(name || ' (copy)', 200), kind, goal, brand_id, ?, period_start, period_end, budget_fen,
                  other_cost_fen, channels, control_pct, ?, attribution_days, audience_kind, bonus_points, gift_name,
                  gift_cost_fen, id, audience_snapshot_id, personal_target
                from campaigns.campaign where id = ? returning id""")
                .params(me, ThreadLocalRandom.current().nextLong(), id)
                .query(Long.class)
                .single();
        jdbc.sql("""
                insert into campaigns.template (campaign_id, channel, lang, subject, body, html, type)
                select ?, channel, lang, subject, body, html, type from campaigns.template where campaign_id = ?""").params(copy, id).update();
        audiences.copy(id, copy);
        step(copy, null, CampaignStatus.DRAFT, "copy of #" + id);
        audit.record("campaign.copied", "campaign", copy, Map.of("source", id, "name", src.name()));
        return load(copy);
    }

    /**
     * MKT-06: the campaign's templates follow its review (SUBMITTED, APPROVED by the second person,
     * REJECTED); the approved text is never changed afterwards (a trigger refuses it) and only
     * APPROVED templates are sent ({@link Sending}). Editing a draft saves its templates as DRAFT.
     */
    private void templateStatus(long id, String status, String approvedBy) {
        jdbc.sql("""
                update campaigns.template set status = ?, approved_by = ?,
                  approved_at = case when ? = 'APPROVED' then now() end
                where campaign_id = ? and status <> 'APPROVED'""").params(status, approvedBy, status, id).update();
    }

    // ------------------------------------------------------------------ messages

    /** The message {@code memberId} would get on {@code channel} (sensitive read: audited). */
    @Transactional
    public Preview preview(long id, long memberId, Channel channel) {
        requirePlanner();
        Campaign c = load(id);
        Personalisation.MemberData d = sending.memberData(List.of(memberId)).get(memberId);
        if (d == null) {
            throw PatronException.unknownReference("memberId", "campaign.error.unknownMember", memberId);
        }
        MemberLanguage lang = sending.languages(List.of(memberId)).get(memberId);
        TemplateText t = sending.templateFor(c, channel, lang == null ? "zh" : lang.lang());
        if (t == null) {
            throw PatronException.invalid("channel", "campaign.error.noTemplate", channel);
        }
        audit.record("campaign.previewed", "campaign", id, Map.of("member", memberId, "channel", channel.name()));
        return preview(c, t, d);
    }

    /** The message with sample member data, for the editor. */
    @Transactional(readOnly = true)
    public Preview previewSample(long id, Channel channel) {
        requireReader();
        Campaign c = load(id);
        TemplateText t = sending.templateFor(c, channel);
        if (t == null) {
            throw PatronException.invalid("channel", "campaign.error.noTemplate", channel);
        }
        return preview(c, t, Personalisation.MemberData.sample());
    }

    private Preview preview(Campaign c, TemplateText t, Personalisation.MemberData d) {
        ChannelSender.Outgoing o = Composer.compose(
                0,
                "preview",
                t.channel() == Channel.EMAIL ? d.email() : d.phone(),
                t,
                d,
                settings.current(),
                Sending.PLAIN);
        SmsText sms = t.channel() == Channel.SMS ? SmsText.of(o.text()) : null;
        return new Preview(
                d.memberId(),
                t.channel(),
                t.lang(),
                o.to(),
                o.subject(),
                o.text(),
                o.html(),
                sms == null ? null : sms.length(),
                sms == null ? null : sms.segments());
    }

    /**
     * Sends the message to a staff address (with sample data, or a member's when given) through the
     * real channel; not counted in the campaign. Audited with the address.
     */
    @Transactional
    public void testSend(long id, Channel channel, String address, Long memberId) {
        requirePlanner();
        Campaign c = load(id);
        if (channel == null) {
            throw PatronException.invalid("channel", "validation.required");
        }
        if (channel == Channel.PHONE) {
            throw PatronException.invalid("channel", "campaign.validation.noTestCall");
        }
        if (address == null || address.isBlank()) {
            throw PatronException.invalid("address", "validation.required");
        }
        String to = address.strip();
        if (channel == Channel.EMAIL && !to.matches("[^@\\s]+@[^@\\s]+\\.[^@\\s]+")) {
            throw PatronException.invalid("address", "campaign.validation.email");
        }
        if (channel == Channel.SMS && !to.matches("\\+?[0-9]{6,15}")) {
            throw PatronException.invalid("address", "campaign.validation.phone");
        }
        TemplateText t = sending.templateFor(c, channel);
        if (t == null) {
            throw PatronException.invalid("channel", "campaign.error.noTemplate", channel);
        }
        Personalisation.MemberData d = memberId == null
                ? Personalisation.MemberData.sample()
                : sending.memberData(List.of(memberId)).get(memberId);
        if (d == null) {
            throw PatronException.unknownReference("memberId", "campaign.error.unknownMember", memberId);
        }
        audit.record("campaign.testSent", "campaign", id, Map.of("channel", channel.name(), "address", to));
        sending.testSend(c, t, d, to);
    }

    @Transactional(readOnly = true)
    public Progress progress(long id) {
        requireReader();
        return sending.progress(load(id));
    }

    @Transactional(readOnly = true)
    public CampaignResults results(long id) {
        requireReader();
        return responses.results(load(id), settings.current());
    }

    /** Results of several campaigns side by side (e.g. a campaign and its copies). */
    @Transactional(readOnly = true)
    public List<CampaignResults> compare(List<Long> ids) {
        requireReader();
        if (ids == null || ids.isEmpty() || ids.size() > 10) {
            throw PatronException.invalid("ids", "campaign.validation.range", 1, 10);
        }
        CampaignSettings s = settings.current();
        List<CampaignResults> out = new ArrayList<>();
        for (long id : new TreeSet<>(ids)) {
            out.add(responses.results(load(id), s));
        }
        return out;
    }

    // ------------------------------------------------------------------ settings and channels

    @Transactional(readOnly = true)
    public CampaignSettings settings() {
        requireReader();
        return settings.current();
    }

    @Transactional
    public CampaignSettings updateSettings(CampaignSettings s) {
        return settings.update(s);
    }

    /** Resumes a channel paused by a gateway failure (MARKETER or ADMIN; audited). */
    @Transactional
    public void resumeChannel(Channel channel) {
        requirePlanner();
        jdbc.sql("update campaigns.channel_state set paused = false, error = null, paused_at = null where channel = ?")
                .param(channel.name())
                .update();
        audit.record("campaign.channelResumed", "campaignChannel", channel.name(), Map.of());
    }

    // ------------------------------------------------------------------ helpers

    private List<PatronException.FieldError> templateProblems(Campaign c) {
        List<PatronException.FieldError> errors = new ArrayList<>();
        for (Channel ch : c.channels()) {
            if (c.template(ch, "zh") == null) {
                errors.add(new PatronException.FieldError("templates", "campaign.error.noTemplate", ch));
            }
        }
        for (TemplateText t : c.templates()) {
            if (!c.channels().contains(t.channel())) {
                continue;
            }
            if (t.channel() == Channel.EMAIL
                    && (t.subject() == null || t.subject().isBlank())) {
                errors.add(new PatronException.FieldError("templates", "campaign.error.noSubject", t.lang()));
            }
            List<String> bad = new ArrayList<>();
            bad.addAll(Personalisation.problems(t.subject()));
            bad.addAll(Personalisation.problems(t.body()));
            bad.addAll(Personalisation.problems(t.html()));
            if (!bad.isEmpty()) {
                errors.add(new PatronException.FieldError(
                        "templates",
                        "campaign.error.unknownVariable",
                        String.join(", ", bad),
                        t.channel() + "/" + t.lang()));
            }
        }
        return errors;
    }

    private void saveTemplates(long id, CampaignKind kind, List<TemplateText> templates) {
        if (templates == null) {
            return;
        }
        Set<String> seen = new java.util.HashSet<>();
        int index = -1;
        for (TemplateText t : templates) {
            index++;
            if (t == null || t.channel() == null || (!"zh".equals(t.lang()) && !"en".equals(t.lang()))) {
                throw PatronException.invalid("templates", "campaign.validation.template");
            }
            if (!seen.add(t.channel() + "/" + t.lang())) {
                throw PatronException.invalid("templates", "campaign.validation.templateTwice", t.channel(), t.lang());
            }
            if (t.body() == null || t.body().isBlank()) {
                throw PatronException.invalid("templates", "campaign.validation.templateBody", t.channel(), t.lang());
            }
            if (t.body().length() > 20_000
                    || (t.html() != null && t.html().length() > 200_000)
                    || (t.subject() != null && t.subject().length() > 200)) {
                throw PatronException.invalid("templates", "campaign.validation.tooLong", 20_000);
            }
            TemplateType type = t.type() == null ? NoticeRules.defaultType(kind) : t.type();
            notices.check(kind, index, t, type); // MKT-09
            jdbc.sql(
                            "insert into campaigns.template (campaign_id, channel, lang, subject, body, html, type) values (?, ?, ?, ?, ?, ?, ?)")
                    .params(
                            id,
                            t.channel().name(),
                            t.lang(),
                            blankToNull(t.subject()),
                            t.body(),
                            blankToNull(t.html()),
                            type.name())
                    .update();
            for (String url : Personalisation.links(t.subject() + " " + t.body() + " " + t.html())) {
                jdbc.sql("""
                        insert into campaigns.link (campaign_id, link_no, url)
                        select ?, coalesce(max(link_no), 0) + 1, ? from campaigns.link where campaign_id = ?
                        on conflict (campaign_id, url) do nothing""").params(id, url, id).update();
            }
        }
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }

    private Campaign lock(long id) {
        jdbc.sql("select id from campaigns.campaign where id = ? for update")
                .param(id)
                .query(Long.class)
                .optional()
                .orElseThrow(() -> PatronException.notFound("campaign.error.notFound", id));
        return load(id);
    }

    private void requireStatus(Campaign c, CampaignStatus expected) {
        if (c.status() != expected) {
            throw conflict(c);
        }
    }

    private static PatronException conflict(Campaign c) {
        return PatronException.conflict("status", "campaign.error.wrongStatus", c.status());
    }

    private static PatronException unprocessable(String field, String key, Object... args) {
        return new PatronException(
                HttpStatus.UNPROCESSABLE_ENTITY, List.of(new PatronException.FieldError(field, key, args)), key, args);
    }

    private Campaign moved(Campaign c, CampaignStatus to, String comment) {
        step(c.id(), c.status(), to, comment);
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("from", c.status().name());
        details.put("to", to.name());
        if (comment != null && !comment.isBlank()) {
            details.put("comment", comment.strip());
        }
        audit.record("campaign." + to.name().toLowerCase(java.util.Locale.ROOT), "campaign", c.id(), details);
        return load(c.id());
    }

    void step(long id, CampaignStatus from, CampaignStatus to, String comment) {
        String text = comment == null || comment.isBlank() ? null : comment.strip();
        if (text != null && text.length() > 1000) {
            throw PatronException.invalid("comment", "campaign.validation.tooLong", 1000);
        }
        jdbc.sql(
                        "insert into campaigns.step (campaign_id, from_status, to_status, actor, comment) values (?, ?, ?, ?, ?)")
                .params(
                        id,
                        from == null ? null : from.name(),
                        to.name(),
                        CurrentStaff.get().auditName(),
                        text)
                .update();
    }

    private record Valid(
            String name,
            String goal,
            Long brandId,
            long budget,
            long otherCost,
            Set<Channel> channels,
            int controlPct,
            int attributionDays,
            long bonusPoints,
            String giftName,
            long giftCost) {
        String channelsArray() {
            return "{"
                    + String.join(
                            ",", channels.stream().map(Enum::name).sorted().toList()) + "}";
        }
    }

    private Valid validate(CampaignCommand c) {
        if (c == null) {
            throw PatronException.invalid("name", "validation.required");
        }
        List<PatronException.FieldError> errors = new ArrayList<>();
        String name = c.name() == null ? "" : c.name().strip();
        if (name.isEmpty()) {
            errors.add(new PatronException.FieldError("name", "validation.required"));
        } else if (name.length() > 200) {
            errors.add(new PatronException.FieldError("name", "campaign.validation.tooLong", 200));
        }
        if (c.kind() == null) {
            errors.add(new PatronException.FieldError("kind", "validation.required"));
        }
        Long brandId = null;
        if (c.kind() == CampaignKind.BRAND) {
            if (c.brandCode() == null || c.brandCode().isBlank()) {
                errors.add(new PatronException.FieldError("brandCode", "validation.required"));
            } else {
                brandId = jdbc.sql("select id from organization.v_brand where code = ?")
                        .param(c.brandCode().strip().toUpperCase(java.util.Locale.ROOT))
                        .query(Long.class)
                        .optional()
                        .orElse(null);
                if (brandId == null) {
                    errors.add(new PatronException.FieldError("brandCode", "campaign.validation.unknownBrand"));
                }
            }
        }
        if (c.periodStart() == null) {
            errors.add(new PatronException.FieldError("periodStart", "validation.required"));
        }
        if (c.periodEnd() == null) {
            errors.add(new PatronException.FieldError("periodEnd", "validation.required"));
        }
        if (c.periodStart() != null && c.periodEnd() != null && c.periodEnd().isBefore(c.periodStart())) {
            errors.add(new PatronException.FieldError("periodEnd", "campaign.validation.periodEnd"));
        }
        long budget = nonNegative(errors, "budgetFen", c.budgetFen());
        long other = nonNegative(errors, "otherCostFen", c.otherCostFen());
        long giftCost = nonNegative(errors, "giftCostFen", c.giftCostFen());
        long bonus = nonNegative(errors, "bonusPoints", c.bonusPoints());
        if (bonus > 100_000) {
            errors.add(new PatronException.FieldError("bonusPoints", "campaign.validation.range", 0, 100_000));
        }
        if (c.channels() == null || c.channels().isEmpty() || c.channels().contains(null)) {
            errors.add(new PatronException.FieldError("channels", "validation.required"));
        }
        int pct = c.controlPct() == null ? 10 : c.controlPct();
        if (pct < 0 || pct > 50) {
            errors.add(new PatronException.FieldError("controlPct", "campaign.validation.range", 0, 50));
        }
        int days = c.attributionDays() == null ? 14 : c.attributionDays();
        if (days < 1 || days > 90) {
            errors.add(new PatronException.FieldError("attributionDays", "campaign.validation.range", 1, 90));
        }
        String gift = c.giftName() == null || c.giftName().isBlank()
                ? null
                : c.giftName().strip();
        if (gift != null && gift.length() > 200) {
            errors.add(new PatronException.FieldError("giftName", "campaign.validation.tooLong", 200));
        }
        String goal = c.goal() == null ? "" : c.goal().strip();
        if (goal.length() > 2000) {
            errors.add(new PatronException.FieldError("goal", "campaign.validation.tooLong", 2000));
        }
        if (!errors.isEmpty()) {
            throw new PatronException(HttpStatus.BAD_REQUEST, errors, "error.validation");
        }
        return new Valid(
                name, goal, brandId, budget, other, EnumSet.copyOf(c.channels()), pct, days, bonus, gift, giftCost);
    }

    private static long nonNegative(List<PatronException.FieldError> errors, String field, Long value) {
        if (value == null) {
            return 0;
        }
        if (value < 0 || value > 100_000_000_000L) {
            errors.add(new PatronException.FieldError(field, "campaign.validation.range", 0, 100_000_000_000L));
            return 0;
        }
        return value;
    }
}
