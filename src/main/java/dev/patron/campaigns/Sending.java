package dev.patron.campaigns;

import dev.patron.audit.AuditLog;
import dev.patron.loyalty.AdjustCommand;
import dev.patron.loyalty.LoyaltyManagement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The sending engine. When a scheduled campaign starts, its messages are created set-based, one row
 * per (campaign, member, channel) under a unique key, with the audience resolved against consent,
 * address, age and earlier hard bounces, and duplicate addresses suppressed. Each message then goes
 * PENDING → SENDING (claimed with up to {@link #CLAIM_CHUNK} others in one committed transaction,
 * after re-checking consent, the frequency cap and quiet hours under per-member locks) → SENT (recorded
 * per chunk) / FAILED, or back to PENDING with
 * backoff. A message found in SENDING after its lease expired was claimed by a worker that died
 * before recording the outcome: it becomes UNKNOWN and is never sent again (at-most-once; see
 * docs/campaigns.md). A gateway failure pauses its channel and keeps the message PENDING.
 */
@Component
class Sending {

    private static final Logger log = LoggerFactory.getLogger(Sending.class);
    static final ZoneId DEFAULT_ZONE = ZoneId.of("Asia/Shanghai");

    /** Links as they appear in previews: the target itself, no tracking. */
    static final Composer.Links PLAIN = new Composer.Links() {
        @Override
        public String click(String url) {
            return url;
        }

        @Override
        public String unsubscribe() {
            return "#unsubscribe";
        }

        @Override
        public String openPixel() {
            return null;
        }
    };

    private final JdbcClient jdbc;
    private final TransactionTemplate tx;
    private final SettingsStore settings;
    private final CampaignClock clock;
    private final Map<Channel, ChannelSender> senders = new EnumMap<>(Channel.class);
    private final LoyaltyManagement loyalty;
    private final AuditLog audit;
    private final ApplicationEventPublisher events;
    private final SmsReplyRules replyRules;

    /**
     * Messages claimed per transaction: one durable commit for this many instead of one each; after
     * a crash at most this many are UNKNOWN. At 500 messages/s, a tenth of a second of sending.
     */
    static final int CLAIM_CHUNK = 50;

    /**
     * Work memory of the start's one statement over the whole audience: its sort for the duplicate
     * addresses (about 110 MB at 900,000 messages) stays in memory instead of spilling to disk.
     */
    static final String START_WORK_MEM = "256MB";

    /** The chunk size in use ({@link #CLAIM_CHUNK}; tests make it small to see a crash mid-run). */
    volatile int claimChunk = CLAIM_CHUNK;

    /** Fault injection for tests: runs after the gateway accepted a message, before SENT is recorded. */
    volatile LongConsumer afterAccepted = id -> {};

    Sending(
            JdbcClient jdbc,
            TransactionTemplate tx,
            SettingsStore settings,
            CampaignClock clock,
            List<ChannelSender> senders,
            LoyaltyManagement loyalty,
            AuditLog audit,
            ApplicationEventPublisher events,
            SmsReplyRules replyRules) {
        this.events = events;
        this.replyRules = replyRules;
        this.jdbc = jdbc;
        this.tx = tx;
        this.settings = settings;
        this.clock = clock;
        this.loyalty = loyalty;
        this.audit = audit;
        for (ChannelSender s : senders) {
            this.senders.put(s.channel(), s);
        }
    }

    // ------------------------------------------------------------------ templates and member data

    /** The Chinese template of a channel (or the English one when there is none): samples, test sends. */
    TemplateText templateFor(Campaign c, Channel channel) {
        return templateFor(c, channel, "zh");
    }

    /**
     * The template a member reading {@code lang} gets: that language's variant, else Chinese, else
     * English (approval requires the Chinese one, so only an English-reading member can fall back).
     */
    TemplateText templateFor(Campaign c, Channel channel, String lang) {
        TemplateText t = c.template(channel, lang);
        if (t == null) {
            t = c.template(channel, "zh");
        }
        return t != null ? t : c.template(channel, "en");
    }

    /**
     * The members' message language. Member profiles have no language field, so the campaigns module
     * keeps its own choice ({@code campaigns.member_language}, set by staff); without one a member
     * whose name has Latin letters and no Chinese characters reads English, everyone else Chinese.
     */
    Map<Long, MemberLanguage> languages(List<Long> ids) {
        Map<Long, MemberLanguage> out = new HashMap<>();
        if (ids.isEmpty()) {
            return out;
        }
        jdbc.sql(LANGUAGE_SQL)
                .param(ids.toArray(new Long[0]))
                .query((rs, n) -> out.put(
                        rs.getLong(1),
                        new MemberLanguage(rs.getLong(1), rs.getString(2), rs.getBoolean(3) ? "SET" : "NAME_RULE")))
                .list();
        return out;
    }

    static final String LANGUAGE_SQL = """
            select m.id,
                   coalesce(ml.lang, case when m.name ~ '[一-鿿㐀-䶿]' then 'zh'
                                          when m.name ~ '[A-Za-z]' then 'en' else 'zh' end),
                   ml.lang is not null
            from members.v_member m
            left join campaigns.member_language ml on ml.member_id = m.id
            where m.id = any(?)""";

    Map<Long, Personalisation.MemberData> memberData(List<Long> ids) {
        Map<Long, Personalisation.MemberData> out = new HashMap<>();
        if (ids.isEmpty()) {
            return out;
        }
        jdbc.sql("""
                select m.id, m.name, m.email, m.phone, m.birthday, m.status,
                       coalesce(t.name_zh, t0.name_zh), coalesce(t.name_en, t0.name_en),
                       coalesce(pa.balance, 0), coalesce(pa.expiring_points_30d, 0), s.name, s.time_zone
                from members.v_member m
                left join loyalty.v_member_tier mt on mt.member_id = m.id
                left join loyalty.v_tier t on t.code = mt.tier_code
                left join lateral (select name_zh, name_en from loyalty.v_tier order by rank limit 1) t0 on true
                left join loyalty.v_points_account pa on pa.member_id = m.id
                left join organization.v_store s on s.id = coalesce(m.preferred_store_id, m.join_store_id)
                where m.id = any(?)""")
                .param(ids.toArray(new Long[0]))
                .query((rs, n) -> new Personalisation.MemberData(
                        rs.getLong(1),
                        rs.getString(2),
                        rs.getString(3),
                        rs.getString(4),
                        rs.getObject(5, LocalDate.class),
                        rs.getString(6),
                        rs.getString(7),
                        rs.getString(8),
                        rs.getLong(9),
                        rs.getLong(10),
                        rs.getString(11),
                        rs.getString(12)))
                .list()
                .forEach(d -> out.put(d.memberId(), d));
        return out;
    }

    void testSend(Campaign c, TemplateText t, Personalisation.MemberData d, String to) {
        CampaignSettings s = settings.current();
        ChannelSender.Outgoing o = Composer.compose(0, "test-" + c.id() + "-" + System.nanoTime(), to, t, d, s, PLAIN);
        o = new ChannelSender.Outgoing(
                0,
                o.key(),
                to,
                o.subject() == null ? null : "[测试/TEST] " + o.subject(),
                o.text(),
                o.html(),
                o.headers());
        try {
            sender(t.channel()).send(o);
        } catch (ChannelSender.Failure e) {
            throw new dev.patron.shared.web.PatronException(
                    org.springframework.http.HttpStatus.BAD_GATEWAY, "campaign.error.testSendFailed", e.getMessage());
        }
    }

    private ChannelSender sender(Channel channel) {
        ChannelSender s = senders.get(channel);
        if (s == null) {
            throw new IllegalStateException("no sender for " + channel);
        }
        return s;
    }

    // ------------------------------------------------------------------ lifecycle driven by the dispatcher

    List<Long> dueToStart(Instant now) {
        return jdbc.sql("select id from campaigns.campaign where status = 'SCHEDULED' and send_at <= ? order by id")
                .param(Timestamp.from(now))
                .query(Long.class)
                .list();
    }

    /**
     * Campaigns with messages to send: RUNNING ones, and FINISHED ones whose messages were put back
     * to PENDING by a soft bounce or failed SMS delivery after they finished (resent; the campaign
     * stays FINISHED).
     */
    List<Long> running() {
        return jdbc.sql("""
                select id from campaigns.campaign c
                where status = 'RUNNING'
                   or (status = 'FINISHED' and exists (select 1 from campaigns.message m
                                                       where m.campaign_id = c.id and m.status = 'PENDING'))
                order by id""").query(Long.class).list();
    }

    /** SCHEDULED → RUNNING: creates the messages (consent, address, dedup resolved now, MKT-02). */
    void start(long campaignId) {
        tx.executeWithoutResult(s -> {
            Instant now = clock.now();
            int moved = jdbc.sql("""
                    update campaigns.campaign set status = 'RUNNING', started_at = ?, updated_at = now()
                    where id = ? and status = 'SCHEDULED'""").params(Timestamp.from(now), campaignId).update();
            if (moved == 0) {
                return;
            }
            // the channels as a parameter, not unnest(c.channels): the planner then knows how many
            // rows each audience member makes and hashes the joins instead of sorting 1M rows
            String[] channels = jdbc.sql("select channels from campaigns.campaign where id = ?")
                    .param(campaignId)
                    .query((rs, n) -> (String[]) rs.getArray(1).getArray())
                    .single();
            jdbc.sql("set local work_mem = '" + START_WORK_MEM + "'").update();
            // no "on conflict": the campaign left SCHEDULED in this transaction, so it has no message
            // yet, and (campaign, member) is unique in the audience, the channels distinct here
            int created = jdbc.sql("""
                    insert into campaigns.message (campaign_id, member_id, channel, address, status, reason, not_before)
                    select :c, x.member_id, x.ch, x.address,
                           case when x.problem is null and x.rn = 1 then 'PENDING' else 'SUPPRESSED' end,
                           case when x.problem is not null then x.problem when x.rn > 1 then 'DUPLICATE_ADDRESS' end,
                           :now
                    from (
                      select y.*, row_number() over (
                               partition by y.ch, coalesce(y.address, y.member_id::text), (y.problem is null)
                               order by y.member_id) as rn
                      from (
                        select a.member_id, ch, addr.address,
                               case when m.status is distinct from 'ACTIVE' then 'INACTIVE'
                                    when addr.address is null then 'NO_ADDRESS'
                                    when (case when c.kind = 'NOTICE' then k.granted is false
                                               else not coalesce(k.granted, false) end) then 'NO_CONSENT'
                                    when c.kind <> 'NOTICE' and m.birthday > current_date - interval '14 years' then 'MINOR'
                                    when c.kind <> 'NOTICE' and c.personal_target and m.no_personalisation
                                        then 'NO_PERSONALISATION'
                                    when exists (select 1 from campaigns.invalid_address i
                                                 where i.channel = ch and i.address = addr.address) then 'INVALID_ADDRESS'
                               end as problem
                        from campaigns.campaign c
                        cross join unnest(cast(:channels as text[])) ch
                        join campaigns.audience_member a on a.campaign_id = c.id and not a.control
                        left join members.v_member m on m.id = a.member_id
                        left join members.v_consent_current k
                               on k.member_id = a.member_id and k.channel = ch
                              and k.purpose = case when c.kind = 'NOTICE' then 'SERVICE' else 'MARKETING' end
                        cross join lateral (select case ch when 'EMAIL' then lower(m.email) else m.phone end as address) addr
                        where c.id = :c) y) x""")
                    .param("c", campaignId)
                    .param(
                            "channels",
                            java.util.Arrays.stream(channels).distinct().toArray(String[]::new))
                    .param("now", Timestamp.from(now))
                    .update();
            // each member's lifecycle cell at send time, for the results by segment cell (both groups)
            jdbc.sql("""
                    update campaigns.audience_member a set r_band = r.r_band, f_band = r.f_band
                    from segments.v_member_rfm r
                    where a.campaign_id = ? and r.member_id = a.member_id""").param(campaignId).update();
            jdbc.sql(
                            "insert into campaigns.step (campaign_id, from_status, to_status, actor, comment) values (?, 'SCHEDULED', 'RUNNING', 'system', ?)")
                    .params(campaignId, created + " messages")
                    .update();
            audit.record("campaign.running", "campaign", campaignId, Map.of("messages", created));
        });
    }

    /** RUNNING → FINISHED once no message is waiting or being sent. */
    void finishIfDone(long campaignId) {
        tx.executeWithoutResult(s -> {
            int moved = jdbc.sql("""
                    update campaigns.campaign set status = 'FINISHED', finished_at = ?, updated_at = now()
                    where id = ? and status = 'RUNNING' and not exists (
                      select 1 from campaigns.message where campaign_id = ? and status in ('PENDING', 'SENDING'))""")
                    .params(Timestamp.from(clock.now()), campaignId, campaignId)
                    .update();
            if (moved > 0) {
                jdbc.sql(
                                "insert into campaigns.step (campaign_id, from_status, to_status, actor) values (?, 'RUNNING', 'FINISHED', 'system')")
                        .param(campaignId)
                        .update();
                audit.record("campaign.finished", "campaign", campaignId, Map.of());
            }
        });
    }

    /** Messages left in SENDING by a worker that died: UNKNOWN, never resent. Returns how many. */
    int recoverStuck(Instant claimedBefore) {
        Integer n = tx.execute(
                s -> jdbc.sql("""
                update campaigns.message set status = 'UNKNOWN', reason = 'INTERRUPTED_DURING_SEND'
                where status = 'SENDING' and claimed_at < ?""").param(Timestamp.from(claimedBefore)).update());
        if (n != null && n > 0) {
            log.warn("{} campaign messages were being sent when their worker stopped: marked UNKNOWN", n);
        }
        return n == null ? 0 : n;
    }

    // ------------------------------------------------------------------ sending

    private record Due(long id, long memberId, Channel channel, int resend) {}

    /** Sends up to one batch of the campaign's due messages; returns how many were taken up. */
    int sendBatch(long campaignId, Campaign c) {
        CampaignSettings s = settings.current();
        Instant now = clock.now();
        List<String> open = jdbc.sql("select channel from campaigns.channel_state where not paused")
                .query(String.class)
                .list();
        if (open.isEmpty()) {
            return 0;
        }
        // oldest due first, in the order of the partial index message_due (an "order by id" walked the
        // primary key past every message already sent or suppressed: 0.4 s a batch at 1M)
        List<Due> due = jdbc.sql("""
                select id, member_id, channel, resend from campaigns.message
                where campaign_id = ? and status = 'PENDING' and not_before <= ? and channel = any(?)
                order by not_before, id limit ?""")
                .params(campaignId, Timestamp.from(now), open.toArray(new String[0]), s.batchSize())
                .query((rs, n) -> new Due(rs.getLong(1), rs.getLong(2), Channel.valueOf(rs.getString(3)), rs.getInt(4)))
                .list();
        if (due.isEmpty()) {
            return 0;
        }
        List<Long> memberIds = due.stream().map(Due::memberId).distinct().toList();
        Map<Long, Personalisation.MemberData> data = memberData(memberIds);
        Map<Long, MemberLanguage> languages = languages(memberIds);
        Set<String> approved = new HashSet<>(jdbc.sql(
                        "select channel || ':' || lang from campaigns.template where campaign_id = ? and status = 'APPROVED'")
                .param(campaignId)
                .query(String.class)
                .list());
        String secret = settings.secret();
        Map<String, Integer> linkNumbers = new HashMap<>(); // the campaign's links do not change while it runs
        long started = System.nanoTime();
        long interval = 1_000_000_000L / s.ratePerSecond();
        int paced = 0;
        boolean notice = c.kind() == CampaignKind.NOTICE;
        java.util.Set<Channel> paused = java.util.EnumSet.noneOf(Channel.class);
        List<Due> ready = new ArrayList<>();
        Map<Long, TemplateText> templates = new HashMap<>();
        for (Due m : due) {
            MemberLanguage lang = languages.get(m.memberId());
            TemplateText t = templateFor(c, m.channel(), lang == null ? "zh" : lang.lang());
            if (t == null || !approved.contains(t.channel() + ":" + t.lang())) {
                // MKT-06: only approved template texts go out
                suppress(m, "TEMPLATE_NOT_APPROVED");
            } else {
                ready.add(m);
                templates.put(m.id(), t);
            }
        }
        int chunkSize = Math.max(1, claimChunk);
        for (int from = 0; from < ready.size(); from += chunkSize) {
            List<Due> chunk = ready.subList(from, Math.min(ready.size(), from + chunkSize)).stream()
                    .filter(m -> !paused.contains(m.channel()))
                    .toList();
            Map<Long, String> claimed = claim(chunk, data, s, notice);
            List<Sent> sent = new ArrayList<>();
            List<Long> untried = new ArrayList<>(claimed.keySet());
            try {
                for (Due m : chunk) {
                    String to = claimed.get(m.id());
                    if (to == null || paused.contains(m.channel())) {
                        continue;
                    }
                    pace(started + paced * interval);
                    paced++;
                    // tried from here on: should composing it fail, it stays SENDING (UNKNOWN after the
                    // lease) rather than going back to PENDING and stopping every later batch again
                    untried.remove(m.id());
                    ChannelSender.Outgoing out = Composer.compose(
                            m.id(),
                            key(campaignId, m.id(), m.resend()),
                            to,
                            templates.get(m.id()),
                            data.get(m.memberId()),
                            s,
                            tracked(s, secret, campaignId, m.id(), linkNumbers));
                    String providerId;
                    try {
                        providerId = sender(m.channel()).send(out);
                    } catch (ChannelSender.Failure f) {
                        failed(m, f, s);
                        if (f.kind() == ChannelSender.Failure.Kind.GATEWAY) {
                            paused.add(m.channel());
                        }
                        continue;
                    } catch (RuntimeException e) {
                        failed(
                                m,
                                new ChannelSender.Failure(ChannelSender.Failure.Kind.TRANSIENT, String.valueOf(e), e),
                                s);
                        continue;
                    }
                    afterAccepted.accept(m.id());
                    sent.add(new Sent(
                            m,
                            providerId,
                            m.channel() == Channel.SMS ? SmsText.of(out.text()).segments() : null,
                            clock.now()));
                }
            } catch (RuntimeException e) {
                // an exception of ours (a kill leaves everything SENDING): what the gateway accepted is
                // recorded, and what was claimed but never handed over goes back to PENDING
                recordSent(campaignId, sent);
                release(untried);
                throw e;
            }
            recordSent(campaignId, sent);
            release(untried);
            if (c.bonusPoints() > 0) {
                sent.forEach(x -> grantBonus(c, x.message().memberId()));
            }
        }
        return due.size();
    }

    /** A message the gateway accepted: its provider id, SMS segments and the time. */
    private record Sent(Due message, String providerId, Integer segments, Instant at) {}

    /**
     * SENDING → SENT for the messages a gateway accepted, with their events, in one transaction.
     * No need to wait for the disk: if this record is lost in a crash, the messages stay SENDING and
     * become UNKNOWN — never sent again — which the claim made durable.
     */
    private void recordSent(long campaignId, List<Sent> sent) {
        if (sent.isEmpty()) {
            return;
        }
        Long[] ids = new Long[sent.size()];
        String[] providerIds = new String[sent.size()];
        Integer[] segments = new Integer[sent.size()];
        Long[] micros = new Long[sent.size()];
        for (int i = 0; i < sent.size(); i++) {
            Sent x = sent.get(i);
            ids[i] = x.message().id();
            providerIds[i] = x.providerId();
            segments[i] = x.segments();
            micros[i] =
                    java.util.concurrent.TimeUnit.SECONDS.toMicros(x.at().getEpochSecond()) + x.at().getNano() / 1000;
        }
        tx.executeWithoutResult(st -> {
            jdbc.sql("set local synchronous_commit = off").update();
            Set<Long> updated = new HashSet<>(jdbc.sql("""
                    update campaigns.message m set status = 'SENT',
                      sent_at = timestamptz 'epoch' + x.us * interval '1 microsecond',
                      provider_id = x.provider_id, segments = x.segments, last_error = null
                    from unnest(cast(? as bigint[]), cast(? as text[]), cast(? as int[]), cast(? as bigint[]))
                      as x(id, provider_id, segments, us)
                    where m.id = x.id and m.status = 'SENDING'
                    returning m.id""")
                    .params(ids, providerIds, segments, micros)
                    .query(Long.class)
                    .list());
            for (Sent x : sent) {
                if (updated.contains(x.message().id())) {
                    events.publishEvent(CampaignEvent.of(
                            CampaignEvent.Type.SENT,
                            campaignId,
                            x.message().memberId(),
                            x.message().id(),
                            x.message().channel(),
                            x.at()));
                }
            }
        });
    }

    /** Claimed messages that were never handed to a gateway: back to PENDING, the attempt not counted. */
    private void release(List<Long> ids) {
        if (ids.isEmpty()) {
            return;
        }
        tx.executeWithoutResult(
                st -> jdbc.sql("""
                        update campaigns.message set status = 'PENDING', attempts = greatest(attempts - 1, 0), claimed_at = null
                        where id = any(?) and status = 'SENDING'""").param(ids.toArray(new Long[0])).update());
    }

    /** Closes the connections the channel senders keep open between messages. */
    void closeSenders() {
        senders.values().forEach(ChannelSender::close);
    }

    /** Our idempotency key of a message (MKT-12); a resend after a soft bounce is a new send. */
    static String key(long campaignId, long messageId, int resend) {
        return "cm-" + campaignId + "-" + messageId + (resend > 0 ? "-r" + resend : "");
    }

    private void suppress(Due m, String reason) {
        tx.executeWithoutResult(st -> jdbc.sql(
                        "update campaigns.message set status = 'SUPPRESSED', reason = ? where id = ? and status = 'PENDING'")
                .params(reason, m.id())
                .update());
    }

    private void grantBonus(Campaign c, long memberId) {
        try {
            AsSystem.call(() -> loyalty.adjust(new AdjustCommand(
                    "campaign-" + c.id() + "-" + memberId,
                    memberId,
                    c.bonusPoints(),
                    "活动赠分 Campaign #" + c.id() + " " + c.name())));
        } catch (RuntimeException e) {
            log.warn("Bonus points of campaign {} for member {} not credited: {}", c.id(), memberId, e.toString());
        }
    }

    private static void pace(long untilNanos) {
        long wait = untilNanos - System.nanoTime();
        if (wait > 0) {
            try {
                Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * PENDING → SENDING for a chunk of messages, in one committed transaction under per-member
     * advisory locks (taken in key order, so two workers cannot deadlock, and two messages of one
     * member cannot both pass the cap). Each message is checked as before it would be sent alone:
     * member active, address, age, consent, personalisation switched off, address invalid, the
     * frequency cap (counting the chunk's own earlier claims), the SMS signature's stop list and the
     * quiet hours. Returns the address of each claimed message by id; the others were suppressed or
     * deferred. One durable commit serves the whole chunk; a crash before the chunk is sent leaves its
     * messages UNKNOWN (at most {@link #CLAIM_CHUNK} of them), never sent twice.
     */
    private Map<Long, String> claim(
            List<Due> chunk, Map<Long, Personalisation.MemberData> data, CampaignSettings s, boolean notice) {
        if (chunk.isEmpty()) {
            return Map.of();
        }
        return tx.execute(st -> {
            Integer[] keys = chunk.stream()
                    .map(m -> (int) (m.memberId() ^ (m.memberId() >>> 32)))
                    .distinct()
                    .sorted()
                    .toArray(Integer[]::new);
            jdbc.sql("select count(pg_advisory_xact_lock(740319, k)) from unnest(cast(? as int[])) k")
                    .param(keys)
                    .query(Long.class)
                    .single();
            Set<Long> pending = new HashSet<>(
                    jdbc.sql("select id from campaigns.message where id = any(?) and status = 'PENDING' for update")
                            .param(chunk.stream().map(Due::id).toArray(Long[]::new))
                            .query(Long.class)
                            .list());
            Instant now = clock.now();
            Map<Long, String> problems = new LinkedHashMap<>();
            Map<Long, String> addresses = new LinkedHashMap<>();
            List<Due> toCheck = new ArrayList<>();
            for (Due m : chunk) {
                if (!pending.contains(m.id())) {
                    continue;
                }
                Personalisation.MemberData d = data.get(m.memberId());
                String address = d == null ? null : m.channel() == Channel.EMAIL ? lower(d.email()) : d.phone();
                if (d == null || !"ACTIVE".equals(d.status())) {
                    problems.put(m.id(), "INACTIVE");
                } else if (address == null) {
                    problems.put(m.id(), "NO_ADDRESS");
                } else if (!notice
                        && d.birthday() != null
                        && d.birthday().isAfter(LocalDate.now(DEFAULT_ZONE).minusYears(14))) {
                    problems.put(m.id(), "MINOR");
                } else {
                    addresses.put(m.id(), address);
                    toCheck.add(m);
                }
            }
            Map<Long, Check> checks = checks(toCheck, addresses, notice, now);
            Map<Long, Integer> claimedPerMember = new HashMap<>();
            Map<Long, String> claimed = new LinkedHashMap<>();
            for (Due m : toCheck) {
                Check check = checks.get(m.id());
                String address = addresses.get(m.id());
                int earlier = claimedPerMember.getOrDefault(m.memberId(), 0);
                String problem = null;
                if (!check.consent()) {
                    problem = "NO_CONSENT";
                } else if (!notice && check.noPersonalisation()) {
                    problem = "NO_PERSONALISATION"; // switched off since the campaign started (PRV-09, MKT-16)
                } else if (check.invalidAddress()) {
                    problem = "INVALID_ADDRESS";
                } else if (!notice && check.recent() + earlier >= s.frequencyCap()) {
                    problem = "FREQUENCY_CAP";
                } else if (!notice && m.channel() == Channel.SMS && replyRules.optedOut(address, s.smsSignature())) {
                    problem = "SIGNATURE_OPT_OUT"; // MKT-04: the number stopped this signature
                }
                if (problem != null) {
                    problems.put(m.id(), problem);
                    continue;
                }
                if (m.channel() == Channel.SMS && !notice) { // MKT-07: the quiet hours hold marketing only
                    ZoneId zone = zone(data.get(m.memberId()).timeZone());
                    LocalDateTime local = LocalDateTime.ofInstant(now, zone);
                    if (s.quiet(local.toLocalTime())) {
                        jdbc.sql("update campaigns.message set not_before = ?, reason = 'QUIET_HOURS' where id = ?")
                                .params(Timestamp.from(quietEnds(local, zone, s)), m.id())
                                .update();
                        continue;
                    }
                }
                claimed.put(m.id(), address);
                if (!notice) {
                    claimedPerMember.put(m.memberId(), earlier + 1);
                }
            }
            if (!problems.isEmpty()) {
                jdbc.sql("""
                                update campaigns.message m set status = 'SUPPRESSED', reason = x.reason
                                from unnest(cast(? as bigint[]), cast(? as text[])) as x(id, reason) where m.id = x.id""")
                        .params(
                                problems.keySet().toArray(new Long[0]),
                                problems.values().toArray(new String[0]))
                        .update();
            }
            if (!claimed.isEmpty()) {
                jdbc.sql("""
                                update campaigns.message m set status = 'SENDING', claimed_at = ?, attempts = attempts + 1,
                                  address = x.address, reason = null,
                                  signature = case when m.channel = 'SMS' then cast(? as text) end
                                from unnest(cast(? as bigint[]), cast(? as text[])) as x(id, address) where m.id = x.id""")
                        .params(
                                Timestamp.from(now),
                                s.smsSignature(),
                                claimed.keySet().toArray(new Long[0]),
                                claimed.values().toArray(new String[0]))
                        .update();
            }
            return claimed;
        });
    }

    /** What the claim checks in the database, per message. */
    private record Check(boolean consent, boolean invalidAddress, long recent, boolean noPersonalisation) {}

    /**
     * For each message: the member's consent on its channel (for the purpose: marketing, or service
     * for notices, which pass without a recorded choice), whether its address is known invalid, how
     * many marketing messages the member got in the last 7 days, and whether the member switched
     * personalisation off for a personally targeted campaign. One statement for the chunk.
     */
    private Map<Long, Check> checks(List<Due> messages, Map<Long, String> addresses, boolean notice, Instant now) {
        if (messages.isEmpty()) {
            return Map.of();
        }
        return jdbc
                .sql("""
                        select x.id,
                               coalesce((select granted from members.v_consent_current c
                                         where c.member_id = x.member_id and c.channel = x.channel and c.purpose = :purpose),
                                        :notice),
                               exists (select 1 from campaigns.invalid_address i
                                       where i.channel = x.channel and i.address = x.address),
                               (select count(*) from campaigns.message y
                                join campaigns.campaign yc on yc.id = y.campaign_id and yc.kind <> 'NOTICE'
                                where y.member_id = x.member_id and y.status in ('SENT', 'SENDING', 'UNKNOWN')
                                  and coalesce(y.sent_at, y.claimed_at) > :since),
                               exists (select 1 from campaigns.message y
                                       join campaigns.campaign yc on yc.id = y.campaign_id and yc.personal_target
                                       join members.v_member mm on mm.id = y.member_id and mm.no_personalisation
                                       where y.id = x.id)
                        from unnest(cast(:ids as bigint[]), cast(:members as bigint[]), cast(:channels as text[]),
                                    cast(:addresses as text[])) as x(id, member_id, channel, address)""")
                .param("ids", messages.stream().map(Due::id).toArray(Long[]::new))
                .param("members", messages.stream().map(Due::memberId).toArray(Long[]::new))
                .param(
                        "channels",
                        messages.stream().map(m -> m.channel().name()).toArray(String[]::new))
                .param(
                        "addresses",
                        messages.stream().map(m -> addresses.get(m.id())).toArray(String[]::new))
                .param("purpose", notice ? "SERVICE" : "MARKETING")
                .param("notice", notice)
                .param("since", Timestamp.from(now.minus(Duration.ofDays(7))))
                .query((rs, n) -> Map.entry(
                        rs.getLong(1), new Check(rs.getBoolean(2), rs.getBoolean(3), rs.getLong(4), rs.getBoolean(5))))
                .list()
                .stream()
                .collect(java.util.stream.Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
    }

    /** The first moment after {@code local} when the quiet hours are over, in the store's zone. */
    static Instant quietEnds(LocalDateTime local, ZoneId zone, CampaignSettings s) {
        LocalDateTime end = local.toLocalDate().atTime(s.quietEnd());
        if (!end.isAfter(local)) {
            end = end.plusDays(1);
        }
        return ZonedDateTime.of(end, zone).toInstant();
    }

    private static ZoneId zone(String tz) {
        try {
            return tz == null ? DEFAULT_ZONE : ZoneId.of(tz);
        } catch (RuntimeException e) {
            return DEFAULT_ZONE;
        }
    }

    private static String lower(String s) {
        return s == null ? null : s.strip().toLowerCase(java.util.Locale.ROOT);
    }

    private void failed(Due m, ChannelSender.Failure f, CampaignSettings s) {
        String error = f.getMessage() == null ? f.kind().name() : abbreviate(f.getMessage());
        tx.executeWithoutResult(st -> {
            switch (f.kind()) {
                case GATEWAY -> {
                    // not the recipient's fault: the attempt does not count, the message waits for the channel
                    jdbc.sql("""
                            update campaigns.message set status = 'PENDING', attempts = greatest(attempts - 1, 0),
                              claimed_at = null, last_error = ? where id = ? and status = 'SENDING'""").params(error, m.id()).update();
                    jdbc.sql(
                                    "update campaigns.channel_state set paused = true, error = ?, paused_at = now() where channel = ?")
                            .params(error, m.channel().name())
                            .update();
                    log.warn("Campaign channel {} paused: {}", m.channel(), error);
                }
                case RECIPIENT -> jdbc.sql("""
                        update campaigns.message set status = 'FAILED', reason = 'REJECTED', last_error = ?
                        where id = ? and status = 'SENDING'""").params(error, m.id()).update();
                case TRANSIENT -> {
                    int attempts = jdbc.sql("select attempts from campaigns.message where id = ?")
                            .param(m.id())
                            .query(Integer.class)
                            .single();
                    if (attempts >= s.maxAttempts()) {
                        jdbc.sql("""
                                update campaigns.message set status = 'FAILED', reason = 'RETRIES_EXHAUSTED', last_error = ?
                                where id = ? and status = 'SENDING'""").params(error, m.id()).update();
                    } else {
                        jdbc.sql("""
                                update campaigns.message set status = 'PENDING', not_before = ?, claimed_at = null,
                                  last_error = ? where id = ? and status = 'SENDING'""")
                                .params(Timestamp.from(clock.now().plus(backoff(attempts))), error, m.id())
                                .update();
                    }
                }
            }
        });
    }

    /** 30 s, 1 min, 2 min, … capped at 1 h. */
    static Duration backoff(int attempts) {
        long seconds = 30L << Math.min(Math.max(attempts - 1, 0), 7);
        return Duration.ofSeconds(Math.min(seconds, 3600));
    }

    private static String abbreviate(String s) {
        return s.length() > 500 ? s.substring(0, 500) : s;
    }

    private Composer.Links tracked(
            CampaignSettings s, String secret, long campaignId, long messageId, Map<String, Integer> numbers) {
        String base = s.publicBaseUrl();
        return new Composer.Links() {

            @Override
            public String click(String url) {
                return base + "/t/c/" + Tokens.sign(secret, Tokens.Kind.CLICK, messageId, linkNo(url));
            }

            @Override
            public String unsubscribe() {
                return base + "/t/u/" + Tokens.sign(secret, Tokens.Kind.UNSUBSCRIBE, messageId, 0);
            }

            @Override
            public String openPixel() {
                return base + "/t/o/" + Tokens.sign(secret, Tokens.Kind.OPEN, messageId, 0);
            }

            private int linkNo(String url) {
                return numbers.computeIfAbsent(url, u -> linkNumber(campaignId, u));
            }
        };
    }

    private int linkNumber(long campaignId, String url) {
        return jdbc.sql("select link_no from campaigns.link where campaign_id = ? and url = ?")
                .params(campaignId, url)
                .query(Integer.class)
                .optional()
                .orElse(0);
    }

    // ------------------------------------------------------------------ progress

    Progress progress(Campaign c) {
        Map<Channel, long[]> counts = new EnumMap<>(Channel.class);
        for (Channel ch : c.channels()) {
            counts.put(ch, new long[7]);
        }
        List<String> order = List.of("PENDING", "SENDING", "SENT", "FAILED", "UNKNOWN", "SUPPRESSED");
        jdbc.sql(
                        "select channel, status, count(*) from campaigns.message where campaign_id = ? group by channel, status")
                .param(c.id())
                .query((rs, n) -> {
                    long[] a = counts.computeIfAbsent(Channel.valueOf(rs.getString(1)), k -> new long[7]);
                    a[0] += rs.getLong(3);
                    a[1 + order.indexOf(rs.getString(2))] += rs.getLong(3);
                    return null;
                })
                .list();
        Map<String, Object[]> states = new HashMap<>();
        jdbc.sql("select channel, paused, error from campaigns.channel_state")
                .query((rs, n) -> states.put(rs.getString(1), new Object[] {rs.getBoolean(2), rs.getString(3)}))
                .list();
        List<Progress.ChannelProgress> list = new ArrayList<>();
        counts.forEach((ch, a) -> {
            Object[] st = states.getOrDefault(ch.name(), new Object[] {false, null});
            list.add(new Progress.ChannelProgress(
                    ch, a[0], a[1], a[2], a[3], a[4], a[5], a[6], (Boolean) st[0], (String) st[1]));
        });
        Map<String, Long> reasons = new LinkedHashMap<>();
        jdbc.sql("""
                select coalesce(reason, status), count(*) from campaigns.message
                where campaign_id = ? and (status = 'SUPPRESSED' or (status = 'PENDING' and reason is not null))
                group by 1 order by 2 desc""")
                .param(c.id())
                .query((rs, n) -> reasons.put(rs.getString(1), rs.getLong(2)))
                .list();
        return new Progress(c.id(), c.status(), list, reasons);
    }
}
