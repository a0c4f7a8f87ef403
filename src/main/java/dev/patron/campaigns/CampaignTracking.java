package dev.patron.campaigns;

import com.google.i18n.phonenumbers.NumberParseException;
import com.google.i18n.phonenumbers.PhoneNumberUtil;
import dev.patron.audit.AuditLog;
import dev.patron.members.ConsentChannel;
import dev.patron.members.ConsentCommand;
import dev.patron.members.ConsentPurpose;
import dev.patron.members.ConsentSource;
import dev.patron.members.MemberManagement;
import dev.patron.shared.security.CurrentStaff;
import dev.patron.shared.security.Role;
import dev.patron.shared.web.PatronException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.Timestamp;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.http.HttpStatus;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * What members do with the messages: opens (pixel), clicks (redirect per link), unsubscribes (link
 * and RFC 8058 one-click POST), SMS replies "T"/"TD"/… through the gateway's callback (HMAC-signed),
 * and bounces reported by the mail system. Links carry signed tokens ({@link Tokens}), never a member
 * id. Unsubscribes and STOP replies withdraw the member's marketing consent at once through
 * {@link MemberManagement#recordConsent} (MKT-03, consumer-law regulation art. 24).
 */
@Service
public class CampaignTracking {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final PhoneNumberUtil PHONES = PhoneNumberUtil.getInstance();

    private final JdbcClient jdbc;
    private final SettingsStore settings;
    private final MemberManagement members;
    private final AuditLog audit;
    private final CampaignClock clock;
    private final SmsReplyRules replyRules;
    private final ApplicationEventPublisher events;

    CampaignTracking(
            JdbcClient jdbc,
            SettingsStore settings,
            MemberManagement members,
            AuditLog audit,
            CampaignClock clock,
            ApplicationEventPublisher events,
            SmsReplyRules replyRules) {
        this.jdbc = jdbc;
        this.settings = settings;
        this.members = members;
        this.audit = audit;
        this.clock = clock;
        this.events = events;
        this.replyRules = replyRules;
    }

    private record Message(long id, long campaignId, long memberId, Channel channel, String address) {}

    private record Clicked(Message message, String url) {}

    private Optional<Message> message(String token, Tokens.Kind kind) {
        return Tokens.verify(settings.secret(), token)
                .filter(t -> t.kind() == kind)
                .flatMap(this::message);
    }

    private Optional<Message> message(Tokens.Token t) {
        return jdbc.sql("select id, campaign_id, member_id, channel, address from campaigns.message where id = ?")
                .param(t.messageId())
                .query((rs, n) -> new Message(
                        rs.getLong(1), rs.getLong(2), rs.getLong(3), Channel.valueOf(rs.getString(4)), rs.getString(5)))
                .optional();
    }

    /** Records an open; false for a token that is not ours. */
    @Transactional
    public boolean open(String token) {
        Optional<Message> m = message(token, Tokens.Kind.OPEN);
        m.ifPresent(x -> event(x, "OPEN", null, null));
        return m.isPresent();
    }

    /** Records a click and returns where it leads; empty for a token that is not ours. */
    @Transactional
    public Optional<String> click(String token) {
        Optional<Tokens.Token> t = Tokens.verify(settings.secret(), token).filter(x -> x.kind() == Tokens.Kind.CLICK);
        if (t.isEmpty()) {
            return Optional.empty();
        }
        // the message and the link's target in one statement: nothing when either is unknown
        Optional<Clicked> c = jdbc.sql("""
                        select m.id, m.campaign_id, m.member_id, m.channel, m.address, l.url
                        from campaigns.message m
                        join campaigns.link l on l.campaign_id = m.campaign_id and l.link_no = ?
                        where m.id = ?""")
                .params(t.get().linkNo(), t.get().messageId())
                .query((rs, n) -> new Clicked(
                        new Message(
                                rs.getLong(1),
                                rs.getLong(2),
                                rs.getLong(3),
                                Channel.valueOf(rs.getString(4)),
                                rs.getString(5)),
                        rs.getString(6)))
                .optional();
        c.ifPresent(x -> event(x.message(), "CLICK", t.get().linkNo(), null));
        return c.map(Clicked::url);
    }

    /**
     * Withdraws the member's marketing consent on the message's channel (one click, at once) and
     * returns the channel; empty for a token that is not ours. Repeated clicks change nothing more.
     */
    @Transactional
    public Optional<Channel> unsubscribe(String token) {
        Optional<Message> m = message(token, Tokens.Kind.UNSUBSCRIBE);
        m.ifPresent(x -> {
            if (withdraw(x.memberId(), x.channel(), "campaign message " + x.id())) {
                event(x.id(), "UNSUBSCRIBE", null, null);
            }
        });
        return m.map(Message::channel);
    }

    /** True when a consent was withdrawn now (false when it was already withdrawn). */
    private boolean withdraw(long memberId, Channel channel, String evidence) {
        // an erased or merged member has nothing left to withdraw (and may not be changed)
        boolean granted = jdbc.sql("""
                select coalesce((select granted from members.v_consent_current
                                 where member_id = ? and channel = ? and purpose = 'MARKETING'), false)
                       and exists (select 1 from members.v_member where id = ? and status = 'ACTIVE')""")
                .params(memberId, channel.name(), memberId)
                .query(Boolean.class)
                .single();
        if (!granted) {
            return false;
        }
        AsSystem.call(() -> members.recordConsent(
                memberId,
                new ConsentCommand(
                        ConsentChannel.valueOf(channel.name()),
                        ConsentPurpose.MARKETING,
                        false,
                        ConsentSource.UNSUBSCRIBE,
                        members.consentWordingVersion(),
                        null,
                        evidence)));
        return true;
    }

    /** The secret gateways sign their callbacks with (ADMIN; audited as a sensitive read). */
    @Transactional
    public String smsCallbackSecret() {
        CurrentStaff.requireAnyRole(Role.ADMIN);
        CurrentStaff.requireAllStores();
        audit.record("campaign.callbackSecretRead", "campaignSettings", 1, Map.of());
        return callbackSecret();
    }

    private String callbackSecret() {
        return jdbc.sql("select sms_callback_secret from campaigns.settings where id = 1")
                .query(String.class)
                .single();
    }

    /**
     * An SMS gateway's uplink push: a JSON array of {@code {phone_number, content, …}} (Aliyun SmsUp)
     * or one {@code {mobile, text, …}} (Tencent), signed with {@code X-Patron-Signature: hex
     * HMAC-SHA256(body)}. A reply that is a stop word (R, T, TD, 退订, … compared after NFKC, trimmed
     * and upper-cased, MKT-04) withdraws SMS marketing consent of every active member with that
     * number. Returns how many replies were stop words; 403 on a wrong signature.
     */
    @Transactional
    public int smsReplies(byte[] body, String signature) {
        List<JsonNode> items = signedItems(body, signature);
        SmsReplyRules.Settings rules = replyRules.current(); // MKT-04: keywords and scope, set at run time
        int stops = 0;
        for (JsonNode item : items) {
            String phone = text(item, "phone_number", "mobile");
            String content = text(item, "content", "text");
            if (phone == null || content == null) {
                continue;
            }
            // MKT-11: once per gateway id (Aliyun sequence_id / msg_id; else phone, time and text)
            String at = text(item, "send_time", "time");
            String given = firstText(item, "sequence_id", "msg_id", "sid");
            String gatewayId = given != null
                    ? given
                    : "h:"
                            + Tokens.hmacHex(
                                    "reply", (phone + "|" + at + "|" + content).getBytes(StandardCharsets.UTF_8));
            boolean stop = replyRules.isStop(rules, content);
            String e164 = e164(phone);
            if (!firstTime("REPLY", gatewayId, e164, stop ? "STOP" : "OTHER", abbreviate(content), at)) {
                continue;
            }
            if (!stop || e164 == null) {
                continue;
            }
            stops++;
            String evidence = "SMS reply " + normalise(content) + " from " + e164 + " at " + (at == null ? "?" : at)
                    + " (gateway id " + gatewayId + ")";
            if (rules.scope() == SmsReplyRules.Scope.SIGNATURE) {
                // only the signature the member answered: that of the last SMS sent to the number
                String answered = jdbc.sql("""
                        select signature from campaigns.message
                        where channel = 'SMS' and address = ? and status = 'SENT' and signature is not null
                        order by sent_at desc limit 1""")
                        .param(e164)
                        .query(String.class)
                        .optional()
                        .orElse(settings.current().smsSignature());
                replyRules.optOut(e164, answered, evidence);
            } else {
                List<Long> ids = jdbc.sql("select id from members.v_member where phone = ? and status = 'ACTIVE'")
                        .param(e164)
                        .query(Long.class)
                        .list();
                for (long id : ids) {
                    withdraw(id, Channel.SMS, evidence);
                }
            }
            jdbc.sql("""
                    select id from campaigns.message where channel = 'SMS' and address = ? and status = 'SENT'
                    order by sent_at desc limit 1""").param(e164).query(Long.class).optional().ifPresent(msg -> {
                event(msg, "REPLY_STOP", null, normalise(content));
                jdbc.sql("update campaigns.sms_callback set message_id = ? where kind = 'REPLY' and gateway_id = ?")
                        .params(msg, gatewayId)
                        .update();
            });
        }
        return stops;
    }

    /**
     * Records a callback the first time its gateway id is seen; false for a repeated push (MKT-11:
     * duplicates are acknowledged and change nothing).
     */
    boolean firstTime(String kind, String gatewayId, String phone, String outcome, String detail, String reportedAt) {
        return jdbc.sql("""
                insert into campaigns.sms_callback (kind, gateway_id, phone, outcome, detail, reported_at)
                values (?, ?, ?, ?, ?, ?) on conflict do nothing""")
                        .params(kind, gatewayId, phone, outcome, detail, reportedAt)
                        .update()
                == 1;
    }

    static String abbreviate(String s) {
        return s == null || s.length() <= 500 ? s : s.substring(0, 500);
    }

    static String firstText(JsonNode item, String... names) {
        for (String n : names) {
            JsonNode v = item.get(n);
            if (v != null && !v.isNull() && !v.asString().isBlank()) {
                return v.asString().strip();
            }
        }
        return null;
    }

    /** Verifies {@code X-Patron-Signature} (hex HMAC-SHA256 of the body) and reads the item(s). */
    List<JsonNode> signedItems(byte[] body, String signature) {
        String expected = Tokens.hmacHex(callbackSecret(), body);
        if (signature == null
                || !MessageDigest.isEqual(
                        expected.getBytes(StandardCharsets.US_ASCII),
                        signature.strip().toLowerCase(Locale.ROOT).getBytes(StandardCharsets.US_ASCII))) {
            throw new PatronException(HttpStatus.FORBIDDEN, "campaign.error.badSignature");
        }
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (RuntimeException e) {
            throw PatronException.invalid("body", "campaign.error.badCallback");
        }
        List<JsonNode> items = new ArrayList<>();
        if (root.isArray()) {
            root.forEach(items::add);
        } else {
            items.add(root);
        }
        return items;
    }

    private static String text(JsonNode item, String a, String b) {
        JsonNode n = item.has(a) ? item.get(a) : item.get(b);
        return n == null || n.isNull() ? null : n.asString();
    }

    static String normalise(String s) {
        return Normalizer.normalize(s, Normalizer.Form.NFKC).strip().toUpperCase(Locale.ROOT);
    }

    static String e164(String phone) {
        try {
            var n = PHONES.parse(phone.strip(), "CN");
            return PHONES.isValidNumber(n) ? PHONES.format(n, PhoneNumberUtil.PhoneNumberFormat.E164) : null;
        } catch (NumberParseException e) {
            return null;
        }
    }

    /** A bounce reported by the mail system (or an SMS delivery failure). */
    public record BounceCommand(Long messageId, String kind, String reason) {}

    /**
     * A hard bounce marks the address invalid (never sent to again) and the message FAILED; a soft
     * bounce sends the message again later unless its attempts are used up (MARKETER or ADMIN, e.g.
     * an integration key; idempotent per message and kind).
     */
    @Transactional
    public void bounce(BounceCommand cmd) {
        CurrentStaff.requireAnyRole(Role.ADMIN, Role.MARKETER);
        CurrentStaff.requireAllStores();
        if (cmd == null || cmd.messageId() == null) {
            throw PatronException.invalid("messageId", "validation.required");
        }
        String kind = cmd.kind() == null ? "" : cmd.kind().strip().toUpperCase(Locale.ROOT);
        if (!kind.equals("HARD") && !kind.equals("SOFT")) {
            throw PatronException.invalid("kind", "campaign.validation.bounceKind");
        }
        String reason = cmd.reason() == null ? "" : cmd.reason().strip();
        if (reason.length() > 500) {
            throw PatronException.invalid("reason", "campaign.validation.tooLong", 500);
        }
        if (bounced(cmd.messageId(), kind, reason)) {
            audit.record("campaign.bounce", "campaignMessage", cmd.messageId(), Map.of("kind", kind));
        }
    }

    /**
     * Applies a bounce (or failed SMS delivery) of kind HARD or SOFT to a SENT message; false when the
     * message was not SENT (already bounced, or never sent). 422 for an unknown message id.
     */
    boolean bounced(long messageId, String kind, String reason) {
        var m = jdbc.sql("""
                        select m.id, m.channel, m.address, m.status, m.attempts, c.status
                        from campaigns.message m join campaigns.campaign c on c.id = m.campaign_id
                        where m.id = ? for update of m""")
                .param(messageId)
                .query((rs, n) -> new Object[] {
                    rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getInt(5), rs.getString(6)
                })
                .optional()
                .orElseThrow(() ->
                        PatronException.unknownReference("messageId", "campaign.error.unknownMessage", messageId));
        if (!"SENT".equals(m[3])) {
            return false; // already bounced or never sent: nothing to do
        }
        if (kind.equals("HARD")) {
            jdbc.sql(
                            "insert into campaigns.invalid_address (channel, address, reason) values (?, ?, ?) on conflict do nothing")
                    .params(m[1], m[2], reason.isEmpty() ? "hard bounce" : reason)
                    .update();
            jdbc.sql(
                            "update campaigns.message set status = 'FAILED', reason = 'BOUNCE_HARD', last_error = ? where id = ?")
                    .params(reason, messageId)
                    .update();
            event(messageId, "BOUNCE_HARD", null, reason);
        } else {
            int max = settings.current().maxAttempts();
            // resent while attempts remain and the campaign was not cancelled (a finished one resends too)
            boolean retry = (Integer) m[4] < max && !"CANCELLED".equals(m[5]);
            jdbc.sql("""
                    update campaigns.message set status = ?, reason = 'BOUNCE_SOFT', last_error = ?, not_before = ?,
                      sent_at = null, resend = resend + case when ? then 1 else 0 end where id = ?""")
                    .params(
                            retry ? "PENDING" : "FAILED",
                            reason,
                            Timestamp.from(clock.now().plus(Sending.backoff((Integer) m[4]))),
                            retry,
                            messageId)
                    .update();
            event(messageId, "BOUNCE_SOFT", null, reason);
        }
        return true;
    }

    void event(long messageId, String kind, Integer linkNo, String detail) {
        insertEvent(messageId, kind, linkNo, detail);
        CampaignEvent.Type type = eventType(kind);
        if (type == null) {
            return;
        }
        // to other modules and the webhooks, in this transaction (CampaignEvent)
        jdbc.sql("select campaign_id, member_id, channel from campaigns.message where id = ?")
                .param(messageId)
                .query((rs, n) -> campaignEvent(
                        type, rs.getLong(1), rs.getLong(2), messageId, Channel.valueOf(rs.getString(3)), linkNo))
                .optional()
                .ifPresent(events::publishEvent);
    }

    /** {@link #event(long, String, Integer, String)} for a message already read (opens and clicks: one statement less). */
    private void event(Message m, String kind, Integer linkNo, String detail) {
        insertEvent(m.id(), kind, linkNo, detail);
        CampaignEvent.Type type = eventType(kind);
        if (type != null) {
            events.publishEvent(campaignEvent(type, m.campaignId(), m.memberId(), m.id(), m.channel(), linkNo));
        }
    }

    private void insertEvent(long messageId, String kind, Integer linkNo, String detail) {
        jdbc.sql("insert into campaigns.tracking_event (message_id, kind, link_no, detail) values (?, ?, ?, ?)")
                .params(messageId, kind, linkNo, detail)
                .update();
    }

    private static CampaignEvent.Type eventType(String kind) {
        return switch (kind) {
            case "OPEN" -> CampaignEvent.Type.OPENED;
            case "CLICK" -> CampaignEvent.Type.CLICKED;
            case "UNSUBSCRIBE", "REPLY_STOP" -> CampaignEvent.Type.UNSUBSCRIBED;
            default -> null;
        };
    }

    private CampaignEvent campaignEvent(
            CampaignEvent.Type type, long campaignId, long memberId, long messageId, Channel channel, Integer linkNo) {
        return new CampaignEvent(
                java.util.UUID.randomUUID(), type, campaignId, memberId, messageId, channel, clock.now(), linkNo, null);
    }
}
