package dev.patron.campaigns;

import dev.patron.audit.AuditLog;
import dev.patron.shared.security.CurrentStaff;
import dev.patron.shared.security.Role;
import dev.patron.shared.web.PatronException;
import java.text.Normalizer;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * MKT-04: the SMS reply keywords that stop marketing (R, T, TD, 退订 …; compared after NFKC — so
 * full-width ｔｄ is TD —, trimmed and upper-cased) and the scope of a STOP reply: GLOBAL withdraws
 * the number's SMS marketing consent in the members ledger (every signature stops); SIGNATURE stops
 * only the 【signature】 the member replied to ({@code campaigns.sms_signature_optout}), checked when
 * each SMS is claimed. Both are set at run time by an ADMIN ({@code GET/PUT
 * /api/v1/campaigns/settings/sms-replies}, audited with old and new values); until then the
 * property {@code patron.campaigns.sms.stop-words} and GLOBAL apply.
 */
@Service
public class SmsReplyRules {

    /** The scope of a STOP reply. */
    public enum Scope {
        GLOBAL,
        SIGNATURE
    }

    /** The current rules: scope and keywords (as configured, not normalised). */
    public record Settings(Scope scope, List<String> stopWords) {}

    private final JdbcClient jdbc;
    private final AuditLog audit;
    private final List<String> defaultWords;

    SmsReplyRules(
            JdbcClient jdbc,
            AuditLog audit,
            @Value("${patron.campaigns.sms.stop-words:T,TD,R,N,退订,TD退订,回T,取消}") String stopWords) {
        this.jdbc = jdbc;
        this.audit = audit;
        this.defaultWords = words(Arrays.asList(stopWords.split(",")));
    }

    private static List<String> words(List<String> raw) {
        Set<String> out = new LinkedHashSet<>();
        for (String w : raw) {
            if (w != null && !w.isBlank()) {
                out.add(w.strip());
            }
        }
        return List.copyOf(out);
    }

    static String normalise(String s) {
        return s == null
                ? ""
                : Normalizer.normalize(s, Normalizer.Form.NFKC).strip().toUpperCase(Locale.ROOT);
    }

    /** The rules now in force (ADMIN, MARKETER, ANALYST with all stores may read them). */
    @Transactional(readOnly = true)
    public Settings settings() {
        CurrentStaff.requireAnyRole(Role.ADMIN, Role.MARKETER, Role.ANALYST);
        CurrentStaff.requireAllStores();
        return current();
    }

    Settings current() {
        return jdbc.sql("select scope, stop_words from campaigns.sms_reply_settings where id = 1")
                .query((rs, n) -> new Settings(Scope.valueOf(rs.getString(1)), List.of((String[])
                        rs.getArray(2).getArray())))
                .optional()
                .orElse(new Settings(Scope.GLOBAL, defaultWords));
    }

    /**
     * Replaces the rules (ADMIN with all stores; audited with old and new values). 400 naming
     * {@code scope} when missing, {@code stopWords} when empty or a word is longer than 20 characters.
     */
    @Transactional
    public Settings update(Settings s) {
        CurrentStaff.requireAnyRole(Role.ADMIN);
        CurrentStaff.requireAllStores();
        List<PatronException.FieldError> errors = new java.util.ArrayList<>();
        if (s == null || s.scope() == null) {
            errors.add(new PatronException.FieldError("scope", "validation.required"));
        }
        List<String> w = s == null || s.stopWords() == null ? List.of() : words(s.stopWords());
        if (w.isEmpty()) {
            errors.add(new PatronException.FieldError("stopWords", "validation.required"));
        } else if (w.stream().anyMatch(x -> x.length() > 20)) {
            errors.add(new PatronException.FieldError("stopWords", "campaigns.replies.wordTooLong", 20));
        }
        if (!errors.isEmpty()) {
            throw new PatronException(org.springframework.http.HttpStatus.BAD_REQUEST, errors, "error.validation");
        }
        Settings before = current();
        jdbc.sql("""
                insert into campaigns.sms_reply_settings (id, scope, stop_words, updated_by, updated_at)
                values (1, ?, ?, ?, now())
                on conflict (id) do update set scope = excluded.scope, stop_words = excluded.stop_words,
                    updated_by = excluded.updated_by, updated_at = now()""")
                .params(
                        s.scope().name(),
                        w.toArray(String[]::new),
                        CurrentStaff.get().auditName())
                .update();
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("old", Map.of("scope", before.scope().name(), "stopWords", before.stopWords()));
        d.put("new", Map.of("scope", s.scope().name(), "stopWords", w));
        audit.record("campaign.smsRepliesChanged", "campaignSettings", "sms-replies", d);
        return current();
    }

    /** Whether a reply's text is a stop keyword. */
    boolean isStop(Settings s, String content) {
        String n = normalise(content);
        return !n.isEmpty()
                && s.stopWords().stream().map(SmsReplyRules::normalise).anyMatch(n::equals);
    }

    /**
     * Scope SIGNATURE: records that {@code phone} stops SMS under {@code signature} (once; a repeated
     * STOP changes nothing). Returns true when it was new.
     */
    boolean optOut(String phone, String signature, String evidence) {
        return jdbc.sql("""
                insert into campaigns.sms_signature_optout (phone, signature, evidence) values (?, ?, ?)
                on conflict do nothing""").params(phone, signature, evidence).update() > 0;
    }

    /** Whether {@code phone} stopped SMS under {@code signature} (scope SIGNATURE). */
    boolean optedOut(String phone, String signature) {
        return phone != null
                && signature != null
                && jdbc.sql(
                                "select exists (select 1 from campaigns.sms_signature_optout where phone = ? and signature = ?)")
                        .params(phone, signature)
                        .query(Boolean.class)
                        .single();
    }
}
