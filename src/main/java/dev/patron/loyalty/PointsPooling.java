package dev.patron.loyalty;

import dev.patron.audit.AuditLog;
import dev.patron.members.MemberKind;
import dev.patron.members.MemberReferences;
import dev.patron.shared.security.CurrentStaff;
import dev.patron.shared.security.Role;
import dev.patron.shared.web.PatronException;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Institutional pooling: when an institution (机构会员) pools points, the points of sales by its
 * individual members are credited to the institution's account (the EARN entry names the
 * institution as member and the buyer in {@code earned_by_member_id}); returns take the points back
 * from the account that earned them. Turning pooling off applies to later sales only.
 */
@Service
public class PointsPooling {

    private final JdbcClient jdbc;
    private final MemberReferences members;
    private final AuditLog audit;

    PointsPooling(JdbcClient jdbc, MemberReferences members, AuditLog audit) {
        this.jdbc = jdbc;
        this.members = members;
        this.audit = audit;
    }

    /** Whether the current staff member may turn pooling on or off (the points panel's switch). */
    public boolean mayChange() {
        return CurrentStaff.get().hasAnyRole(Role.ADMIN) && CurrentStaff.scope().allStores();
    }

    /** Sets pooling of an institution (ADMIN with all stores; audited). */
    @Transactional
    public PointsBalance.Pooling set(long memberId, Boolean enabled) {
        CurrentStaff.requireAnyRole(Role.ADMIN);
        CurrentStaff.requireAllStores();
        if (enabled == null) {
            throw PatronException.invalid("enabled", "validation.required");
        }
        Long id = members.activeIds(List.of(memberId)).get(memberId);
        if (id == null) {
            throw PatronException.notFound("error.members.notFound", memberId);
        }
        MemberReferences.Basics b = members.basics(List.of(id)).get(id);
        if (b == null || b.kind() != MemberKind.INSTITUTION) {
            throw LoyaltyManagement.unprocessable("enabled", "rules.pooling.notInstitution");
        }
        Boolean before = jdbc.sql("select enabled from loyalty.pooling where institution_member_id = ? for update")
                .param(id)
                .query(Boolean.class)
                .optional()
                .orElse(false);
        jdbc.sql("""
                insert into loyalty.pooling (institution_member_id, enabled, updated_by) values (?, ?, ?)
                on conflict (institution_member_id) do update set enabled = excluded.enabled, updated_at = now(),
                    updated_by = excluded.updated_by""").params(id, enabled, CurrentStaff.get().auditName()).update();
        if (before != enabled) {
            audit.record("points.pooling.changed", "member", id, Map.of("before", before, "after", enabled));
        }
        return of(id);
    }

    /**
     * The select-list of a member's pooling facts over {@code members.v_member m} (kind, institution,
     * whether the institution that pools pools), for reads that want them with their own row in one
     * statement; read them back with {@link #of(ResultSet)}.
     */
    static final String COLUMNS = """
            m.kind as pooling_kind, m.institution_id as pooling_institution,
            coalesce((select p.enabled from loyalty.pooling p where p.institution_member_id =
                case when m.kind = 'INSTITUTION' then m.id else m.institution_id end), false) as pooling_enabled""";

    /** The pooling state from the columns of {@link #COLUMNS} (all null when the member row was missing). */
    static PointsBalance.Pooling of(ResultSet rs) throws SQLException {
        String kind = rs.getString("pooling_kind");
        if (kind == null) {
            return new PointsBalance.Pooling(false, false, null);
        }
        boolean enabled = rs.getBoolean("pooling_enabled");
        if (MemberKind.INSTITUTION.name().equals(kind)) {
            return new PointsBalance.Pooling(true, enabled, null);
        }
        long institution = rs.getLong("pooling_institution");
        return new PointsBalance.Pooling(false, false, !rs.wasNull() && enabled ? institution : null);
    }

    /** The pooling state of an active member: an institution's setting, or the institution an individual pools into. */
    @Transactional(readOnly = true)
    public PointsBalance.Pooling of(long memberId) {
        return jdbc.sql("select " + COLUMNS + " from members.v_member m where m.id = ?")
                .param(memberId)
                .query((rs, n) -> of(rs))
                .optional()
                .orElseGet(() -> new PointsBalance.Pooling(false, false, null));
    }
}
