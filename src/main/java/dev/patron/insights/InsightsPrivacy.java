package dev.patron.insights;

import dev.patron.members.MemberManagement;
import dev.patron.members.PersonalisationChanged;
import dev.patron.shared.web.PatronException;
import org.springframework.http.HttpStatus;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.modulith.events.ApplicationModuleListener;
import org.springframework.stereotype.Component;

/**
 * PRV-09 in the insights module: a member who switched personalisation off is not profiled. The
 * scoring, next-best and churn queries leave such members out ({@code not m.no_personalisation} on
 * {@code members.v_member}); when a member switches it off, what was already computed for them
 * (value, monthly snapshots, next best items) is deleted here; reading a member's value or
 * recommendations through the API is 409; the 360-view panels show "switched off by the member"
 * (they are {@code profiling()} panels). Switching it on again brings the member back at the next
 * scoring and rule run.
 */
@Component
class InsightsPrivacy {

    private final JdbcClient jdbc;

    InsightsPrivacy(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** 409 naming {@code memberId} when the member switched personalisation off. */
    static void requirePersonalisation(MemberManagement members, long memberId) {
        if (members.personalisationSwitchedOff(memberId)) {
            throw new PatronException(
                    HttpStatus.CONFLICT,
                    java.util.List.of(new PatronException.FieldError(
                            "memberId", "insights.personalisation.switchedOff", memberId)),
                    "insights.personalisation.switchedOff",
                    memberId);
        }
    }

    /** Drops the member's computed profile; idempotent (deleting nothing twice is fine). */
    @ApplicationModuleListener
    void on(PersonalisationChanged event) {
        if (!event.switchedOff()) {
            return;
        }
        jdbc.sql("delete from insights.member_value where member_id = ?")
                .param(event.memberId())
                .update();
        jdbc.sql("delete from insights.member_value_month where member_id = ?")
                .param(event.memberId())
                .update();
        jdbc.sql("delete from insights.member_next_best where member_id = ?")
                .param(event.memberId())
                .update();
    }
}
