package dev.patron.campaigns;

import dev.patron.audit.AuditLog;
import dev.patron.shared.security.CurrentStaff;
import dev.patron.shared.web.PatronException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import org.springframework.http.HttpStatus;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Triggered (care) campaigns: trigger → audience → message → tracking through the campaign engine. A
 * rule names an occasion (BIRTHDAY in {@code daysAhead} days; POINTS_EXPIRING: at least {@code
 * minPoints} points expiring within 30 days, from {@code loyalty.v_points_account}) and an approved
 * source campaign whose approved templates, channels, control group share, offer and attribution
 * window it reuses. Each run picks the occasion's members not picked before for that occasion and
 * creates one campaign for them: audience frozen (control group drawn), templates APPROVED verbatim
 * from the source (MKT-06: the text a second person approved), SCHEDULED now — consent, caps and
 * quiet hours are then checked at send time as for any campaign, and results work the same.
 */
@Service
public class Triggers {

    /** A rule as read back. */
    public record Rule(
            long id,
            String name,
            String kind,
            int daysAhead,
            long minPoints,
            long sourceCampaignId,
            boolean active,
            String createdBy,
            Instant createdAt) {}

    /** What to create. */
    public record RuleCommand(String name, String kind, Integer daysAhead, Long minPoints, Long sourceCampaignId) {}

    /** One run: the campaign created (null when nobody was due) and how many members it targets. */
    public record Run(long ruleId, Long campaignId, int members) {}

    private static final Set<CampaignStatus> APPROVED_ONCE =
            Set.of(CampaignStatus.APPROVED, CampaignStatus.SCHEDULED, CampaignStatus.RUNNING, CampaignStatus.FINISHED);

    private final JdbcClient jdbc;
    private final AudienceLists audiences;
    private final Campaigns campaigns;
    private final CampaignClock clock;
    private final AuditLog audit;

    Triggers(JdbcClient jdbc, AudienceLists audiences, Campaigns campaigns, CampaignClock clock, AuditLog audit) {
        this.jdbc = jdbc;
        this.audiences = audiences;
        this.campaigns = campaigns;
        this.clock = clock;
        this.audit = audit;
    }

    @Transactional(readOnly = true)
    public List<Rule> rules() {
        Campaigns.requireReader();
        return jdbc.sql("""
                select id, name, kind, days_ahead, min_points, source_campaign_id, active, created_by, created_at
                from campaigns.trigger_rule order by id desc""")
                .query((rs, n) -> new Rule(
                        rs.getLong(1),
                        rs.getString(2),
                        rs.getString(3),
                        rs.getInt(4),
                        rs.getLong(5),
                        rs.getLong(6),
                        rs.getBoolean(7),
                        rs.getString(8),
                        rs.getTimestamp(9).toInstant()))
                .list();
    }

    /** Creates a rule (MARKETER or ADMIN with all stores; audited); the source must have been approved. */
    @Transactional
    public Rule create(RuleCommand cmd) {
        Campaigns.requirePlanner();
        List<PatronException.FieldError> errors = new ArrayList<>();
        String name = cmd == null || cmd.name() == null ? "" : cmd.name().strip();
        if (name.isEmpty() || name.length() > 200) {
            errors.add(new PatronException.FieldError(
                    "name", name.isEmpty() ? "validation.required" : "campaign.validation.tooLong", 200));
        }
        String kind =
                cmd == null || cmd.kind() == null ? "" : cmd.kind().strip().toUpperCase(Locale.ROOT);
        if (!kind.equals("BIRTHDAY") && !kind.equals("POINTS_EXPIRING")) {
            errors.add(new PatronException.FieldError("kind", "campaigns.trigger.kind"));
        }
        int days = cmd == null || cmd.daysAhead() == null ? -1 : cmd.daysAhead();
        if (days < 0 || days > 60) {
            errors.add(new PatronException.FieldError("daysAhead", "campaigns.trigger.days"));
        }
        long minPoints = cmd == null || cmd.minPoints() == null ? 1 : cmd.minPoints();
        if (minPoints < 1) {
            errors.add(new PatronException.FieldError("minPoints", "campaigns.trigger.minPoints"));
        }
        if (cmd == null || cmd.sourceCampaignId() == null) {
            errors.add(new PatronException.FieldError("sourceCampaignId", "validation.required"));
        }
        if (!errors.isEmpty()) {
            throw new PatronException(
                    HttpStatus.BAD_REQUEST,
                    errors,
                    errors.get(0).messageKey(),
                    errors.get(0).args());
        }
        Campaign source = campaigns.campaign(cmd.sourceCampaignId());
        if (!APPROVED_ONCE.contains(source.status())) {
            throw new PatronException(
                    HttpStatus.UNPROCESSABLE_ENTITY,
                    List.of(new PatronException.FieldError("sourceCampaignId", "campaigns.trigger.notApproved")),
                    "campaigns.trigger.notApproved");
        }
        long id = jdbc.sql("""
                insert into campaigns.trigger_rule (name, kind, days_ahead, min_points, source_campaign_id, created_by)
                values (?, ?, ?, ?, ?, ?) returning id""")
                .params(
                        name,
                        kind,
                        days,
                        minPoints,
                        source.id(),
                        CurrentStaff.get().auditName())
                .query(Long.class)
                .single();
        audit.record(
                "campaign.triggerCreated",
                "campaignTrigger",
                id,
                Map.of("kind", kind, "daysAhead", days, "source", source.id()));
        return rules().stream().filter(r -> r.id() == id).findFirst().orElseThrow();
    }

    /** Runs a rule now (MARKETER or ADMIN; audited), as the daily job does. */
    @Transactional
    public Run runNow(long ruleId) {
        Campaigns.requirePlanner();
        Run r = fire(ruleId, today());
        audit.record("campaign.triggerRun", "campaignTrigger", ruleId, Map.of("members", r.members()));
        return r;
    }

    LocalDate today() {
        return LocalDate.ofInstant(clock.now(), Sending.DEFAULT_ZONE);
    }

    List<Long> activeRules() {
        return jdbc.sql("select id from campaigns.trigger_rule where active order by id")
                .query(Long.class)
                .list();
    }

    /** Picks the rule's members due on {@code today} and creates their campaign (same transaction). */
    Run fire(long ruleId, LocalDate today) {
        Rule rule = jdbc.sql("""
                select id, name, kind, days_ahead, min_points, source_campaign_id, active, created_by, created_at
                from campaigns.trigger_rule where id = ? for update""")
                .param(ruleId)
                .query((rs, n) -> new Rule(
                        rs.getLong(1),
                        rs.getString(2),
                        rs.getString(3),
                        rs.getInt(4),
                        rs.getLong(5),
                        rs.getLong(6),
                        rs.getBoolean(7),
                        rs.getString(8),
                        rs.getTimestamp(9).toInstant()))
                .optional()
                .orElseThrow(() -> PatronException.notFound("campaigns.trigger.notFound", ruleId));
        LocalDate target = today.plusDays(rule.daysAhead());
        String occasion;
        String candidates;
        if (rule.kind().equals("BIRTHDAY")) {
            occasion = Integer.toString(target.getYear());
            candidates = """
                    select m.id from members.v_member m
                    where m.status = 'ACTIVE' and m.birthday is not null
                      and extract(month from m.birthday) = :month and extract(day from m.birthday) = :day""";
        } else {
            occasion = today.getYear() + "-" + String.format("%02d", today.getMonthValue());
            candidates = """
                    select p.member_id from loyalty.v_points_account p
                    join members.v_member m on m.id = p.member_id and m.status = 'ACTIVE'
                    where p.expiring_points_30d >= :min""";
        }
        List<Long> picked = jdbc.sql("""
                insert into campaigns.trigger_fire (rule_id, member_id, occasion)
                select :rule, x.id, :occasion from (CANDIDATES) x(id)
                on conflict do nothing returning member_id""".replace("CANDIDATES", candidates))
                .param("rule", ruleId)
                .param("occasion", occasion)
                .param("month", target.getMonthValue())
                .param("day", target.getDayOfMonth())
                .param("min", rule.minPoints())
                .query(Long.class)
                .list();
        if (picked.isEmpty()) {
            return new Run(ruleId, null, 0);
        }
        long campaignId = jdbc.sql("""
                insert into campaigns.campaign (name, kind, goal, brand_id, owner, period_start, period_end, budget_fen,
                  channels, control_pct, control_seed, attribution_days, audience_kind, bonus_points, gift_name,
                  gift_cost_fen, source_campaign_id, status, submitted_by, approved_by, frozen_at, send_at, personal_target)
                select left(:name || ' ' || :day, 200), case kind when 'NOTICE' then 'NOTICE' else 'MEMBER_EVENT' end, goal, brand_id, :owner, :today,
                  :today + greatest(attribution_days, 1), 0, channels, control_pct, :seed, attribution_days,
                  'STATIC_LIST', bonus_points, gift_name, gift_cost_fen, id, 'SCHEDULED', :owner,
                  'trigger #' || :rule || ' (source #' || id || ' approved by ' || coalesce(approved_by, '?') || ')',
                  :now, :now, true
                from campaigns.campaign where id = :source returning id""")
                .param("name", rule.name())
                .param("day", today.toString())
                .param("owner", "trigger #" + ruleId)
                .param("today", today)
                .param("seed", ThreadLocalRandom.current().nextLong())
                .param("rule", ruleId)
                .param("now", Timestamp.from(clock.now()))
                .param("source", rule.sourceCampaignId())
                .query(Long.class)
                .single();
        // the source's approved texts, verbatim and approved (MKT-06)
        jdbc.sql("""
                insert into campaigns.template (campaign_id, channel, lang, subject, body, html, status, approved_by, approved_at, type)
                select ?, channel, lang, subject, body, html, 'APPROVED', approved_by, approved_at, type
                from campaigns.template where campaign_id = ? and status = 'APPROVED'""").params(campaignId, rule.sourceCampaignId()).update();
        jdbc.sql("""
                insert into campaigns.link (campaign_id, link_no, url)
                select ?, link_no, url from campaigns.link where campaign_id = ?""").params(campaignId, rule.sourceCampaignId()).update();
        jdbc.sql("insert into campaigns.audience_member (campaign_id, member_id) select ?, unnest(?::bigint[])")
                .params(campaignId, picked.toArray(new Long[0]))
                .update();
        audiences.freeze(campaignId);
        jdbc.sql(
                        "update campaigns.trigger_fire set campaign_id = ? where rule_id = ? and occasion = ? and member_id = any(?)")
                .params(campaignId, ruleId, occasion, picked.toArray(new Long[0]))
                .update();
        campaigns.step(
                campaignId, null, CampaignStatus.APPROVED, "trigger #" + ruleId + ", " + rule.kind() + " " + target);
        campaigns.step(campaignId, CampaignStatus.APPROVED, CampaignStatus.SCHEDULED, null);
        return new Run(ruleId, campaignId, picked.size());
    }
}
