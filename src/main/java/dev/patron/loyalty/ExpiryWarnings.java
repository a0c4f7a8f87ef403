package dev.patron.loyalty;

import dev.patron.audit.AuditLog;
import dev.patron.shared.security.CurrentStaff;
import dev.patron.shared.security.Role;
import dev.patron.shared.web.PatronException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import net.javacrumbs.shedlock.spring.annotation.SchedulerLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.http.HttpStatus;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Warns members of points about to expire: every day (one app instance at a time, ShedLock), for
 * open lots expiring from today to today + {@code expiry_warning_days} (program setting, default
 * 30), one {@link PointsExpiring} event per member and expiry date, exactly once. Set-based and
 * chunked: ranges of {@link #MEMBERS_PER_TRANSACTION} member ids per transaction; each chunk
 * records what it warned in {@code loyalty.expiry_warning} (primary key member, expiry date;
 * {@code on conflict do nothing}) and publishes the events in the same transaction (outbox), so a
 * rerun or a crash never warns twice. Lots already spent (nothing remaining) are not warned.
 */
@Service
public class ExpiryWarnings {

    static final int MEMBERS_PER_TRANSACTION = 20_000;
    private static final Logger log = LoggerFactory.getLogger(ExpiryWarnings.class);

    private final JdbcClient jdbc;
    private final TransactionTemplate tx;
    private final ApplicationEventPublisher events;
    private final LoyaltyManagement loyalty;
    private final AuditLog audit;

    ExpiryWarnings(
            JdbcClient jdbc,
            TransactionTemplate tx,
            ApplicationEventPublisher events,
            LoyaltyManagement loyalty,
            AuditLog audit) {
        this.jdbc = jdbc;
        this.tx = tx;
        this.events = events;
        this.loyalty = loyalty;
        this.audit = audit;
    }

    @Scheduled(cron = "${patron.loyalty.expiry-warning-cron:0 0 9 * * *}", zone = "Asia/Shanghai")
    @SchedulerLock(name = "loyalty.expiryWarnings", lockAtMostFor = "PT2H")
    void daily() {
        int warned = warn(LoyaltyManagement.today());
        log.info("Points expiry warnings: {} members warned", warned);
    }

    /** How many days ahead members are warned. */
    @Transactional(readOnly = true)
    public int warningDays() {
        return jdbc.sql("select expiry_warning_days from loyalty.program where id = 1")
                .query(Integer.class)
                .single();
    }

    /**
     * Publishes the warnings due on {@code today} that were not made before; returns how many
     * (member, expiry date) warnings were published.
     */
    int warn(LocalDate today) {
        LocalDate until = today.plusDays(warningDays());
        long[] range = jdbc.sql("select coalesce(min(member_id), 0), coalesce(max(member_id), -1) from loyalty.account")
                .query((rs, n) -> new long[] {rs.getLong(1), rs.getLong(2)})
                .single();
        int total = 0;
        // member id ranges: each chunk reads its members' open lots through lot_member_open, so a run
        // reads every open lot once whatever the window
        for (long lo = range[0]; lo <= range[1]; lo += MEMBERS_PER_TRANSACTION) {
            long from = lo;
            long to = lo + MEMBERS_PER_TRANSACTION;
            Integer warned = tx.execute(s -> {
                List<PointsExpiring> due = jdbc.sql("""
                        insert into loyalty.expiry_warning (member_id, expires_on, points)
                        select member_id, expires_on, sum(remaining) from loyalty.lot
                        where member_id >= ? and member_id < ? and remaining > 0 and expires_on >= ? and expires_on <= ?
                        group by member_id, expires_on
                        order by member_id, expires_on
                        on conflict do nothing
                        returning member_id, points, expires_on""")
                        .params(from, to, today, until)
                        .query((rs, n) ->
                                new PointsExpiring(rs.getLong(1), rs.getLong(2), rs.getObject(3, LocalDate.class)))
                        .list();
                due.forEach(events::publishEvent);
                return due.size();
            });
            total += warned == null ? 0 : warned;
        }
        return total;
    }

    /**
     * Changes the program settings and the warning window together (ADMIN with all stores; one
     * transaction; audited). Field errors of both are reported at once.
     */
    @Transactional
    public LoyaltyProgram updateProgram(LoyaltyProgram program, Integer warningDays) {
        CurrentStaff.requireAnyRole(Role.ADMIN);
        CurrentStaff.requireAllStores();
        PatronException.FieldError daysError = warningDays == null
                ? new PatronException.FieldError("expiryWarningDays", "validation.required")
                : warningDays < 1 || warningDays > 365
                        ? new PatronException.FieldError("expiryWarningDays", "program.validation.warningDays")
                        : null;
        LoyaltyProgram saved;
        try {
            saved = loyalty.updateProgram(program);
        } catch (PatronException e) {
            if (daysError == null || e.status() != HttpStatus.BAD_REQUEST) {
                throw e;
            }
            List<PatronException.FieldError> all = new ArrayList<>(e.fieldErrors());
            all.add(daysError);
            throw new PatronException(HttpStatus.BAD_REQUEST, all, "error.validation");
        }
        if (daysError != null) {
            throw new PatronException(HttpStatus.BAD_REQUEST, List.of(daysError), "error.validation");
        }
        int before = warningDays();
        if (before != warningDays) {
            jdbc.sql("update loyalty.program set expiry_warning_days = ? where id = 1")
                    .param(warningDays)
                    .update();
            audit.record(
                    "loyalty.expiryWarningDays.changed",
                    "loyalty_program",
                    1,
                    Map.of("before", before, "after", warningDays));
        }
        return saved;
    }

    /** Changes only the warning window (ADMIN with all stores; audited). */
    @Transactional
    public int updateWarningDays(Integer warningDays) {
        CurrentStaff.requireAnyRole(Role.ADMIN);
        CurrentStaff.requireAllStores();
        if (warningDays == null) {
            throw PatronException.invalid("expiryWarningDays", "validation.required");
        }
        if (warningDays < 1 || warningDays > 365) {
            throw PatronException.invalid("expiryWarningDays", "program.validation.warningDays");
        }
        int before = warningDays();
        jdbc.sql("update loyalty.program set expiry_warning_days = ? where id = 1")
                .param(warningDays)
                .update();
        audit.record(
                "loyalty.expiryWarningDays.changed",
                "loyalty_program",
                1,
                Map.of("before", before, "after", warningDays));
        return warningDays;
    }
}
