package dev.patron.loyalty;

import dev.patron.audit.AuditLog;
import dev.patron.members.MemberReference;
import dev.patron.members.MemberReferences;
import dev.patron.organization.OrganizationManagement;
import dev.patron.shared.security.CurrentStaff;
import dev.patron.shared.security.Role;
import dev.patron.shared.web.PageQuery;
import dev.patron.shared.web.PageResult;
import dev.patron.shared.web.PatronException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.YearMonth;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.http.HttpStatus;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * The loyalty module's API: program settings, a member's points and ledger, spending points at the
 * POS (idempotent, never overdrawn — the member's account row is locked), cancelling a spend,
 * staff adjustments, and an invariant check.
 *
 * <p>Roles: reading points — any role in the member's... every staff role; spending and
 * cancelling — ADMIN, STORE_MANAGER, COUNTER_STAFF, AGENT (in the store's scope); adjustments and
 * program settings — ADMIN with all stores. Spending, cancelling and adjusting are audited.
 */
@Service
public class LoyaltyManagement {

    static final ZoneId ZONE = ZoneId.of("Asia/Shanghai");
    static final long MAX_POINTS = 1_000_000_000L;
    private static final Role[] SPENDERS = {Role.ADMIN, Role.STORE_MANAGER, Role.COUNTER_STAFF, Role.AGENT};

    private final JdbcClient jdbc;
    private final PointsLedger ledger;
    private final ProgramSettings settings;
    private final MemberReferences members;
    private final OrganizationManagement organization;
    private final AuditLog audit;

    LoyaltyManagement(
            JdbcClient jdbc,
            PointsLedger ledger,
            ProgramSettings settings,
            MemberReferences members,
            OrganizationManagement organization,
            AuditLog audit,
            PointsExpiry expiry,
            org.springframework.transaction.support.TransactionTemplate tx) {
        this.expiry = expiry;
        this.tx = tx;
        this.jdbc = jdbc;
        this.ledger = ledger;
        this.settings = settings;
        this.members = members;
        this.organization = organization;
        this.audit = audit;
    }

    private final PointsExpiry expiry;
    private final org.springframework.transaction.support.TransactionTemplate tx;

    /** What an on-demand expiry run did: points of lots that expired before the day, and how long it took. */
    public record ExpiryRun(LocalDate expiredBefore, long points, long millis) {}

    /**
     * Expires every lot whose expiry date has passed, now (ADMIN of all stores; audited), instead of
     * waiting for the nightly job. Refused (409) while another run holds the cluster lock.
     */
    public ExpiryRun runExpiry() {
        CurrentStaff.requireAnyRole(Role.ADMIN);
        CurrentStaff.requireAllStores();
        PointsExpiry.Run run =
                expiry.runNow().orElseThrow(() -> PatronException.conflict("expiry", "loyalty.expiry.running"));
        // the run commits in chunks of members (not one huge transaction); the audit entry in its own
        tx.executeWithoutResult(status -> audit.record(
                "points.expiry-run",
                "program",
                1L,
                Map.of(
                        "expiredBefore",
                        run.expiredBefore().toString(),
                        "points",
                        run.points(),
                        "millis",
                        run.millis())));
        return new ExpiryRun(run.expiredBefore(), run.points(), run.millis());
    }

    static LocalDate today() {
        return LocalDate.now(ZONE);
    }

    // ------------------------------------------------------------------ program

    @Transactional(readOnly = true)
    public LoyaltyProgram program() {
        return settings.current();
    }

    @Transactional
    public LoyaltyProgram updateProgram(LoyaltyProgram p) {
        CurrentStaff.requireAnyRole(Role.ADMIN);
        CurrentStaff.requireAllStores();
        List<PatronException.FieldError> errors = new ArrayList<>();
        if (p.pointsPerYuan() == null
                || p.pointsPerYuan().signum() < 0
                || p.pointsPerYuan().compareTo(BigDecimal.valueOf(1000)) > 0
                || p.pointsPerYuan().stripTrailingZeros().scale() > 4) {
            errors.add(new PatronException.FieldError("pointsPerYuan", "loyalty.validation.rate"));
        }
        if (p.rounding() == null || !List.of("DOWN", "HALF_UP", "UP").contains(p.rounding())) {
            errors.add(new PatronException.FieldError("rounding", "loyalty.validation.rounding"));
        }
        if (p.pendingDays() == null || p.pendingDays() < 0 || p.pendingDays() > 90) {
            errors.add(new PatronException.FieldError("pendingDays", "loyalty.validation.pendingDays"));
        }
        if (p.expiryPolicy() == null
                || !List.of("END_OF_NEXT_YEAR", "MONTHS_AFTER", "NEVER").contains(p.expiryPolicy())) {
            errors.add(new PatronException.FieldError("expiryPolicy", "loyalty.validation.expiryPolicy"));
        }
        if (p.expiryMonths() == null || p.expiryMonths() < 1 || p.expiryMonths() > 120) {
            errors.add(new PatronException.FieldError("expiryMonths", "loyalty.validation.expiryMonths"));
        }
        if (p.maxNegativeBalance() == null || p.maxNegativeBalance() < 0 || p.maxNegativeBalance() > MAX_POINTS) {
            errors.add(new PatronException.FieldError("maxNegativeBalance", "loyalty.validation.maxNegative"));
        }
        if (!errors.isEmpty()) {
            throw new PatronException(HttpStatus.BAD_REQUEST, errors, "error.validation");
        }
        LoyaltyProgram before = settings.current();
        jdbc.sql("""
                update loyalty.program set points_per_yuan = ?, rounding = ?, pending_days = ?, expiry_policy = ?,
                    expiry_months = ?, max_negative_balance = ?, updated_at = now(), updated_by = ? where id = 1""")
                .params(
                        p.pointsPerYuan(),
                        p.rounding(),
                        p.pendingDays(),
                        p.expiryPolicy(),
                        p.expiryMonths(),
                        p.maxNegativeBalance(),
                        CurrentStaff.get().auditName())
                .update();
        audit.record(
                "loyalty.program.changed",
                "loyalty_program",
                1,
                Map.of("before", before.toString(), "after", p.toString()));
        return settings.current();
    }

    // ------------------------------------------------------------------ reading

    /** The member's points; 404 for an unknown member. A merged member's id shows the survivor's. */
    @Transactional(readOnly = true)
    public PointsBalance balance(long memberId) {
        return balanceOf(activeMember(memberId));
    }

    /**
     * The statement of {@link #balanceOf}: parameters today and the member id; read a row with
     * {@link #balance}.
     */
    static final String BALANCE_OF = balanceOf("?");

    /**
     * {@link #BALANCE_OF} for the member whose id is the SQL expression {@code memberId} (a parameter
     * or a column of an outer query; one parameter, today, before it): the inner part of {@link
     * LoyaltyLookup}'s statement. Its columns never carry a member lookup's names (balance_member_id
     * is null when the member is not there).
     */
    static String balanceOf(String memberId) {
        return "select m.id as balance_member_id, a.balance, a.debt, a.lifetime_earned,"
                + " l.months, l.pending, l.points, " + PointsPooling.COLUMNS + """
                 from members.v_member m left join loyalty.account a on a.member_id = m.id
                left join lateral (
                    select array_agg(g.month) as months, array_agg(g.pending) as pending,
                           array_agg(g.points) as points
                    from (select to_char(o.expires_on, 'YYYY-MM') as month, o.available_from > ? as pending,
                                 sum(o.remaining)::bigint as points
                          from loyalty.lot o where o.member_id = m.id and o.remaining > 0 and a.balance > 0
                          group by 1, 2) g) l on true
                where m.id = %s""".formatted(memberId);
    }

    /**
     * The points of a member already known to be active (no existence check), in one statement
     * (the till's lookup reads it outside any transaction): the materialised account row, the
     * pooling facts and, for a positive balance, the open lots by expiry month and pending state
     * (the open lots hold exactly max(balance, 0) points; read through the member's partial index).
     */
    PointsBalance balanceOf(long id) {
        LocalDate today = today();
        return jdbc.sql(BALANCE_OF)
                .params(today, id)
                .query((rs, n) -> balance(id, rs))
                .optional()
                .orElseGet(() ->
                        new PointsBalance(id, 0, 0, 0, 0, 0, List.of(), new PointsBalance.Pooling(false, false, null)));
    }

    static PointsBalance balance(long id, java.sql.ResultSet rs) throws java.sql.SQLException {
        long open = 0;
        long pending = 0;
        java.util.TreeMap<YearMonth, Long> byMonth = new java.util.TreeMap<>();
        java.sql.Array monthArray = rs.getArray("months");
        if (monthArray != null) {
            String[] months = (String[]) monthArray.getArray();
            Boolean[] pendings = (Boolean[]) rs.getArray("pending").getArray();
            Long[] points = (Long[]) rs.getArray("points").getArray();
            for (int k = 0; k < months.length; k++) {
                open += points[k];
                if (pendings[k]) {
                    pending += points[k];
                }
                if (months[k] != null) {
                    byMonth.merge(YearMonth.parse(months[k]), points[k], Long::sum);
                }
            }
        }
        List<PointsBalance.Expiring> expiring = byMonth.entrySet().stream()
                .limit(24)
                .map(e -> new PointsBalance.Expiring(e.getKey(), e.getValue()))
                .toList();
        return new PointsBalance(
                id,
                rs.getLong("balance"),
                open - pending,
                pending,
                rs.getLong("debt"),
                rs.getLong("lifetime_earned"),
                expiring,
                PointsPooling.of(rs));
    }

    /** The member's ledger, newest first. */
    @Transactional(readOnly = true)
    public PageResult<LedgerEntry> ledger(long memberId, PageQuery page) {
        long id = activeMember(memberId);
        long total = jdbc.sql("select count(*) from loyalty.entry where member_id = ?")
                .param(id)
                .query(Long.class)
                .single();
        List<LedgerEntry> items = jdbc.sql("""
                select id, kind, points, debt_points, sale_id, original_sale_id, redemption_id, reason, created_by, created_at
                from loyalty.entry where member_id = ? order by id desc limit ? offset ?""")
                .params(id, page.size(), page.offset())
                .query(LoyaltyManagement::ledgerEntry)
                .list();
        return new PageResult<>(items, page.page(), page.size(), total);
    }

    /** Problems with the member's points invariants (empty when all hold). */
    @Transactional(readOnly = true)
    public List<String> verify(long memberId) {
        List<String> problems = new ArrayList<>();
        jdbc.sql("""
                select a.balance, (select coalesce(sum(points), 0) from loyalty.entry where member_id = a.member_id),
                       (select coalesce(sum(remaining), 0) from loyalty.lot where member_id = a.member_id)
                from loyalty.account a where a.member_id = ?""").param(memberId).query(rs -> {
            long balance = rs.getLong(1);
            long ledgerSum = rs.getLong(2);
            long lots = rs.getLong(3);
            if (balance != ledgerSum) {
                problems.add("balance " + balance + " <> ledger sum " + ledgerSum);
            }
            if (lots != Math.max(balance, 0)) {
                problems.add("open lots " + lots + " <> greatest(balance, 0) " + Math.max(balance, 0));
            }
        });
        // lots carry no foreign key to their entries (one trigger per accrued sale, see V20261127_1200)
        jdbc.sql("""
                select l.id from loyalty.lot l left join loyalty.entry e on e.id = l.entry_id
                where l.member_id = ? and e.id is null
                order by l.id""")
                .param(memberId)
                .query(Long.class)
                .list()
                .forEach(lot -> problems.add("lot " + lot + " without its entry"));
        // nor do lot uses to their entries and lots (one trigger pair per expired lot, V20261128_1000)
        jdbc.sql("""
                select u.entry_id, u.lot_id from loyalty.lot_use u
                where u.lot_id = any(array(select id from loyalty.lot where member_id = ?))
                  and not exists (select 1 from loyalty.entry e where e.id = u.entry_id)
                order by u.entry_id, u.lot_id""")
                .param(memberId)
                .query((rs, n) -> "use of lot " + rs.getLong(2) + " without its entry " + rs.getLong(1))
                .list()
                .forEach(problems::add);
        jdbc.sql("""
                select u.entry_id, u.lot_id from loyalty.entry e join loyalty.lot_use u on u.entry_id = e.id
                where e.member_id = ? and not exists (select 1 from loyalty.lot l where l.id = u.lot_id)
                order by u.entry_id, u.lot_id""")
                .param(memberId)
                .query((rs, n) -> "use by entry " + rs.getLong(1) + " of a lot that does not exist " + rs.getLong(2))
                .list()
                .forEach(problems::add);
        return problems;
    }

    // ------------------------------------------------------------------ spending

    /** Spends points (idempotent by key): never more than the spendable points, even concurrently. */
    @Transactional
    public Redemption redeem(RedeemCommand c) {
        return redeemOnce(c).redemption();
    }

    /** A redemption and whether this call made it ({@code false}: a retry replayed the first result). */
    public record RedeemResult(Redemption redemption, boolean created) {}

    /** {@link #redeem} telling a new redemption from a replay (the API answers 201 or 200). */
    @Transactional
    public RedeemResult redeemOnce(RedeemCommand c) {
        CurrentStaff.requireAnyRole(SPENDERS);
        List<PatronException.FieldError> errors = new ArrayList<>();
        String key = c.idempotencyKey() == null ? "" : c.idempotencyKey().strip();
        if (key.isEmpty() || key.length() > 100) {
            errors.add(new PatronException.FieldError(
                    "idempotencyKey", key.isEmpty() ? "validation.required" : "loyalty.validation.key"));
        }
        if (c.points() == null) {
            errors.add(new PatronException.FieldError("points", "validation.required"));
        } else if (c.points() <= 0 || c.points() > MAX_POINTS) {
            errors.add(new PatronException.FieldError("points", "loyalty.validation.points"));
        }
        MemberReference ref = memberReference(c.memberId(), c.cardNumber(), c.phone(), errors);
        if (!errors.isEmpty()) {
            throw new PatronException(HttpStatus.BAD_REQUEST, errors, "error.validation");
        }
        Long storeId = null;
        if (c.storeCode() != null && !c.storeCode().isBlank()) {
            storeId = organization
                    .storeIdByCode(c.storeCode())
                    .orElseThrow(() -> unprocessable("storeCode", "sales.validation.unknownStore", c.storeCode()));
            CurrentStaff.requireStore(storeId);
        }
        String fingerprint = sha256("REDEEM|" + ref + "|" + c.points() + "|" + storeId + "|" + c.reference());
        Optional<Redemption> replay = redemptionByKey(key, fingerprint);
        if (replay.isPresent()) {
            return new RedeemResult(replay.get(), false);
        }
        long memberId = resolve(ref);
        PointsLedger.Account a = ledger.lock(memberId);
        replay = redemptionByKey(key, fingerprint); // a concurrent retry may have won while we waited
        if (replay.isPresent()) {
            return new RedeemResult(replay.get(), false);
        }
        LocalDate today = today();
        long spendable = ledger.spendable(memberId, today);
        if (c.points() > spendable) {
            throw unprocessable("points", "loyalty.validation.insufficient", spendable);
        }
        long entryId = ledger.entry(
                memberId,
                new PointsLedger.EntryInfo(
                        EntryKind.REDEEM,
                        null,
                        null,
                        null,
                        null,
                        storeId,
                        c.reference(),
                        CurrentStaff.get().auditName()),
                -c.points(),
                0);
        long taken = ledger.takeFromLots(memberId, entryId, c.points(), false, null, today);
        if (taken != c.points()) {
            throw new IllegalStateException("lots of member " + memberId + " do not cover spendable points");
        }
        ledger.debitBalance(memberId, c.points(), 0);
        long id = jdbc.sql("""
                insert into loyalty.redemption (idempotency_key, fingerprint, member_id, points, store_id, reference, entry_id)
                values (?, ?, ?, ?, ?, ?, ?) returning id""")
                .params(
                        key,
                        fingerprint,
                        memberId,
                        c.points(),
                        storeId,
                        c.reference() == null ? "" : c.reference(),
                        entryId)
                .query(Long.class)
                .single();
        jdbc.sql("update loyalty.entry set redemption_id = ? where id = ?")
                .params(id, entryId)
                .update();
        audit.record("points.redeemed", "member", memberId, Map.of("points", c.points(), "redemption", id, "key", key));
        return new RedeemResult(redemption(id), true);
    }

    /** Cancels a redemption (idempotent by key): its points go back to the lots they came from. */
    @Transactional
    public Redemption cancelRedemption(long redemptionId, String cancelKey) {
        CurrentStaff.requireAnyRole(SPENDERS);
        String key = cancelKey == null ? "" : cancelKey.strip();
        if (key.isEmpty() || key.length() > 100) {
            throw PatronException.invalid(
                    "idempotencyKey", key.isEmpty() ? "validation.required" : "loyalty.validation.key");
        }
        var r = jdbc.sql("select member_id, points, entry_id, store_id from loyalty.redemption where id = ?")
                .param(redemptionId)
                .query((rs, n) -> new long[] {rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4)})
                .optional()
                .orElseThrow(() -> PatronException.notFound("loyalty.redemption.notFound", redemptionId));
        if (r[3] != 0) {
            CurrentStaff.requireStore(r[3]);
        }
        // the points go back to whoever holds the member's lots now: after a merge, the survivor
        Long holder = members.activeIds(List.of(r[0])).get(r[0]);
        long memberId = holder != null ? holder : r[0];
        PointsLedger.Account a = ledger.lock(memberId);
        var state = jdbc.sql("select status, cancel_key from loyalty.redemption where id = ?")
                .param(redemptionId)
                .query((rs, n) -> new String[] {rs.getString(1), rs.getString(2)})
                .single();
        if ("CANCELLED".equals(state[0])) {
            if (key.equals(state[1])) {
                return redemption(redemptionId);
            }
            throw PatronException.conflict("idempotencyKey", "loyalty.redemption.alreadyCancelled", redemptionId);
        }
        long points = r[1];
        String by = CurrentStaff.get().auditName();
        long entryId;
        if (a.balance() >= 0 && a.debt() == 0) {
            entryId = ledger.entry(
                    memberId,
                    new PointsLedger.EntryInfo(EntryKind.REDEEM_CANCEL, null, null, redemptionId, null, null, "", by),
                    points,
                    0);
            jdbc.sql("""
                    update loyalty.lot l set remaining = l.remaining - u.points from loyalty.lot_use u
                    where u.entry_id = ? and u.lot_id = l.id""").param(r[2]).update();
            jdbc.sql(
                            "insert into loyalty.lot_use (entry_id, lot_id, points) select ?, lot_id, -points from loyalty.lot_use where entry_id = ?")
                    .params(entryId, r[2])
                    .update();
            jdbc.sql("update loyalty.account set balance = balance + ?, updated_at = now() where member_id = ?")
                    .params(points, memberId)
                    .update();
        } else {
            // the balance went below zero (or into debt) since: the points first cover that
            LocalDate today = today();
            LoyaltyProgram p = settings.current();
            entryId = ledger.credit(
                    a,
                    new PointsLedger.EntryInfo(EntryKind.REDEEM_CANCEL, null, null, redemptionId, null, null, "", by),
                    points,
                    today,
                    today,
                    p.expiresOn(today));
        }
        jdbc.sql(
                        "update loyalty.redemption set status = 'CANCELLED', cancel_key = ?, cancel_entry_id = ?, cancelled_at = now() where id = ?")
                .params(key, entryId, redemptionId)
                .update();
        audit.record(
                "points.redemptionCancelled", "member", memberId, Map.of("points", points, "redemption", redemptionId));
        return redemption(redemptionId);
    }

    /** Adds or removes points with a reason (ADMIN with all stores; idempotent by key; audited). */
    @Transactional
    public LedgerEntry adjust(AdjustCommand c) {
        CurrentStaff.requireAnyRole(Role.ADMIN);
        CurrentStaff.requireAllStores();
        List<PatronException.FieldError> errors = new ArrayList<>();
        String key = c.idempotencyKey() == null ? "" : c.idempotencyKey().strip();
        if (key.isEmpty() || key.length() > 100) {
            errors.add(new PatronException.FieldError(
                    "idempotencyKey", key.isEmpty() ? "validation.required" : "loyalty.validation.key"));
        }
        if (c.memberId() == null) {
            errors.add(new PatronException.FieldError("memberId", "validation.required"));
        }
        if (c.points() == null || c.points() == 0) {
            errors.add(new PatronException.FieldError(
                    "points", c.points() == null ? "validation.required" : "loyalty.validation.nonZero"));
        } else if (Math.abs(c.points()) > MAX_POINTS) {
            errors.add(new PatronException.FieldError("points", "loyalty.validation.points"));
        }
        String reason = c.reason() == null ? "" : c.reason().strip();
        if (reason.isEmpty() || reason.length() > 500) {
            errors.add(new PatronException.FieldError(
                    "reason", reason.isEmpty() ? "validation.required" : "loyalty.validation.reason"));
        }
        if (!errors.isEmpty()) {
            throw new PatronException(HttpStatus.BAD_REQUEST, errors, "error.validation");
        }
        String fingerprint = sha256("ADJUST|" + c.memberId() + "|" + c.points() + "|" + reason);
        Optional<Long> done = adjustmentByKey(key, fingerprint);
        if (done.isPresent()) {
            return entry(done.get());
        }
        long memberId = members.activeIds(List.of(c.memberId())).get(c.memberId()) == null
                ? unknownMember("memberId")
                : members.activeIds(List.of(c.memberId())).get(c.memberId());
        PointsLedger.Account a = ledger.lock(memberId);
        done = adjustmentByKey(key, fingerprint);
        if (done.isPresent()) {
            return entry(done.get());
        }
        String by = CurrentStaff.get().auditName();
        long entryId;
        if (c.points() > 0) {
            LocalDate today = today();
            entryId = ledger.credit(
                    a,
                    PointsLedger.EntryInfo.of(EntryKind.ADJUST, reason, by),
                    c.points(),
                    today,
                    today,
                    settings.current().expiresOn(today));
        } else {
            long remove = -c.points();
            if (remove > Math.max(a.balance(), 0)) {
                throw unprocessable("points", "loyalty.validation.adjustBelowZero", Math.max(a.balance(), 0));
            }
            entryId = ledger.entry(memberId, PointsLedger.EntryInfo.of(EntryKind.ADJUST, reason, by), c.points(), 0);
            ledger.takeFromLots(memberId, entryId, remove, true, null, today());
            ledger.debitBalance(memberId, remove, 0);
        }
        jdbc.sql("insert into loyalty.adjustment (idempotency_key, fingerprint, entry_id) values (?, ?, ?)")
                .params(key, fingerprint, entryId)
                .update();
        audit.record("points.adjusted", "member", memberId, Map.of("points", c.points(), "reason", reason));
        return entry(entryId);
    }

    // ------------------------------------------------------------------ helpers

    private long unknownMember(String field) {
        throw unprocessable(field, "sales.validation.unknownMember");
    }

    private long activeMember(long memberId) {
        Long id = members.activeIds(List.of(memberId)).get(memberId);
        if (id == null) {
            throw PatronException.notFound("error.members.notFound", memberId);
        }
        return id;
    }

    /** The one member named by id, card or phone; a field error when none or several are named. */
    static MemberReference memberReference(
            Long memberId, String card, String phone, List<PatronException.FieldError> errors) {
        List<MemberReference> refs = new ArrayList<>();
        if (memberId != null) {
            refs.add(MemberReference.id(memberId));
        }
        if (card != null && !card.isBlank()) {
            refs.add(MemberReference.card(card.strip()));
        }
        if (phone != null && !phone.isBlank()) {
            refs.add(MemberReference.phone(phone.strip()));
        }
        if (refs.isEmpty()) {
            errors.add(new PatronException.FieldError("memberId", "loyalty.validation.memberRequired"));
            return null;
        }
        if (refs.size() > 1) {
            errors.add(new PatronException.FieldError(refs.get(1).field(), "sales.validation.oneMemberReference"));
            return null;
        }
        return refs.get(0);
    }

    private long resolve(MemberReference ref) {
        MemberReferences.Resolution r = members.resolve(List.of(ref)).get(ref);
        if (r == null || !r.resolved()) {
            String key = r != null && r.failure() == MemberReferences.Failure.CARD_INACTIVE
                    ? "sales.validation.cardInactive"
                    : "sales.validation.unknownMember";
            throw unprocessable(ref.field(), key);
        }
        return r.memberId();
    }

    private Optional<Redemption> redemptionByKey(String key, String fingerprint) {
        var found = jdbc.sql("select id, fingerprint from loyalty.redemption where idempotency_key = ?")
                .param(key)
                .query((rs, n) -> Map.entry(rs.getLong(1), rs.getString(2)))
                .optional();
        if (found.isEmpty()) {
            return Optional.empty();
        }
        if (!found.get().getValue().equals(fingerprint)) {
            throw PatronException.conflict("idempotencyKey", "loyalty.validation.keyReused");
        }
        return Optional.of(redemption(found.get().getKey()));
    }

    private Optional<Long> adjustmentByKey(String key, String fingerprint) {
        var found = jdbc.sql("select entry_id, fingerprint from loyalty.adjustment where idempotency_key = ?")
                .param(key)
                .query((rs, n) -> Map.entry(rs.getLong(1), rs.getString(2)))
                .optional();
        if (found.isPresent() && !found.get().getValue().equals(fingerprint)) {
            throw PatronException.conflict("idempotencyKey", "loyalty.validation.keyReused");
        }
        return found.map(Map.Entry::getKey);
    }

    Redemption redemption(long id) {
        return jdbc.sql("""
                select r.id, r.member_id, r.points, r.store_id, r.reference, r.status, a.balance, r.created_at, r.cancelled_at
                from loyalty.redemption r join loyalty.account a on a.member_id = r.member_id where r.id = ?""")
                .param(id)
                .query((rs, n) -> new Redemption(
                        rs.getLong(1),
                        rs.getLong(2),
                        rs.getLong(3),
                        storeCode((Long) rs.getObject(4)),
                        rs.getString(5),
                        rs.getString(6),
                        rs.getLong(7),
                        rs.getObject(8, OffsetDateTime.class),
                        rs.getObject(9, OffsetDateTime.class)))
                .single();
    }

    private String storeCode(Long storeId) {
        return storeId == null
                ? null
                : organization.storeCodes(List.of(storeId)).get(storeId);
    }

    private LedgerEntry entry(long id) {
        return jdbc.sql("""
                select id, kind, points, debt_points, sale_id, original_sale_id, redemption_id, reason, created_by, created_at
                from loyalty.entry where id = ?""").param(id).query(LoyaltyManagement::ledgerEntry).single();
    }

    private static LedgerEntry ledgerEntry(java.sql.ResultSet rs, int n) throws java.sql.SQLException {
        return new LedgerEntry(
                rs.getLong(1),
                EntryKind.valueOf(rs.getString(2)),
                rs.getLong(3),
                rs.getLong(4),
                (Long) rs.getObject(5),
                (Long) rs.getObject(6),
                (Long) rs.getObject(7),
                rs.getString(8),
                rs.getString(9),
                rs.getObject(10, OffsetDateTime.class));
    }

    static PatronException unprocessable(String field, String key, Object... args) {
        return new PatronException(
                HttpStatus.UNPROCESSABLE_ENTITY, List.of(new PatronException.FieldError(field, key, args)), key, args);
    }

    static String sha256(String s) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
