package dev.patron.campaigns;

import dev.patron.audit.AuditLog;
import dev.patron.shared.security.CurrentStaff;
import dev.patron.shared.web.PatronException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Which language (zh, en) a member's campaign messages are written in. Member profiles have no
 * language field, so the choice is kept here: set by staff, else the name rule of {@link
 * MemberLanguage}. The template variant of that language is sent and previewed.
 */
@Service
public class MemberLanguages {

    private final JdbcClient jdbc;
    private final Sending sending;
    private final AuditLog audit;

    MemberLanguages(JdbcClient jdbc, Sending sending, AuditLog audit) {
        this.jdbc = jdbc;
        this.sending = sending;
        this.audit = audit;
    }

    /** The member's message language and where it comes from (campaign readers). */
    @Transactional(readOnly = true)
    public MemberLanguage of(long memberId) {
        Campaigns.requireReader();
        MemberLanguage l = sending.languages(List.of(memberId)).get(memberId);
        if (l == null) {
            throw PatronException.notFound("campaign.error.unknownMember", memberId);
        }
        return l;
    }

    /**
     * Sets (zh, en) or clears (null/blank: the name rule applies again) the member's message language
     * (MARKETER or ADMIN with all stores; audited).
     */
    @Transactional
    public MemberLanguage set(long memberId, String lang) {
        Campaigns.requirePlanner();
        boolean exists = jdbc.sql("select exists (select 1 from members.v_member where id = ? and status = 'ACTIVE')")
                .param(memberId)
                .query(Boolean.class)
                .single();
        if (!exists) {
            throw PatronException.notFound("campaign.error.unknownMember", memberId);
        }
        String l = lang == null ? "" : lang.strip().toLowerCase(Locale.ROOT);
        if (l.isEmpty()) {
            jdbc.sql("delete from campaigns.member_language where member_id = ?")
                    .param(memberId)
                    .update();
        } else if (l.equals("zh") || l.equals("en")) {
            jdbc.sql("""
                    insert into campaigns.member_language (member_id, lang, set_by) values (?, ?, ?)
                    on conflict (member_id) do update set lang = excluded.lang, set_by = excluded.set_by, set_at = now()""").params(memberId, l, CurrentStaff.get().auditName()).update();
        } else {
            throw PatronException.invalid("lang", "campaigns.language.invalid");
        }
        audit.record("campaign.memberLanguageSet", "member", memberId, Map.of("lang", l));
        return sending.languages(List.of(memberId)).get(memberId);
    }
}
