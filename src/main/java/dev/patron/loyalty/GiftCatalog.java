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
import io.swagger.v3.oas.annotations.media.Schema;
import java.net.URI;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.springframework.http.HttpStatus;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

/**
 * Gift redemption: the gift catalog (ADMIN with all stores), stock per store (ADMIN or the
 * STORE_MANAGER of the store; every change is a row of {@code loyalty.gift_stock_movement}) and
 * reservations. Reserving takes the member's points at once through {@link PointsLedger} (account
 * locked, never overdrawn, lots that expire first, {@code lot_use} recorded) and sets the items
 * aside (stock row locked, never oversold); confirming hands the items out; cancelling — or the
 * expiry job after {@code loyalty.gift_settings.reservation_hours} — gives back exactly the lots
 * used and releases the items. Each is idempotent by key, one transaction, and audited.
 *
 * <p>Lock order everywhere: member account → reservation → stock row (the same as spending points).
 */
@Service
public class GiftCatalog {

    static final int MAX_QUANTITY = 99;
    static final long MAX_STOCK_CHANGE = 1_000_000L;
    private static final Pattern CODE = Pattern.compile("^[A-Z0-9_-]{1,30}$");
    private static final Role[] SPENDERS = {Role.ADMIN, Role.STORE_MANAGER, Role.COUNTER_STAFF, Role.AGENT};
    private static final Role[] STOCK_KEEPERS = {Role.ADMIN, Role.STORE_MANAGER};
    private static final Map<String, String> SORTS = Map.of(
            "code", "g.code",
            "nameZh", "g.name_zh",
            "nameEn", "g.name_en",
            "pointsPrice", "g.points_price",
            "validTo", "g.valid_to",
            "available", "available",
            "active", "g.active");

    /** A catalog item as created or changed by ADMIN. */
    @Schema(description = "A gift of the catalog")
    public record GiftCommand(
            @Schema(description = "Code: capital letters, digits, _ or -", example = "MUG-2026")
            String code,

            @Schema(description = "Chinese name", example = "保温杯")
            String nameZh,

            @Schema(description = "English name", example = "Thermos mug")
            String nameEn,

            String description,

            @Schema(description = "Points per item", example = "800")
            Long pointsPrice,

            @Schema(description = "Cash co-pay per item in fen (0 = none)", example = "0")
            Long cashFen,

            @Schema(description = "Image address (http/https), optional")
            String imageUrl,

            @Schema(description = "First day it may be redeemed (optional)")
            LocalDate validFrom,

            @Schema(description = "Last day it may be redeemed (optional)")
            LocalDate validTo,

            @Schema(description = "Whether it may be redeemed at all; default true")
            Boolean active) {}

    /** Receive items (quantity > 0) or adjust (signed quantity, reason required) at a store. */
    @Schema(description = "A stock change at one store")
    public record StockCommand(
            @Schema(example = "SH001") String storeCode,

            @Schema(description = "RECEIVE or ADJUST", example = "RECEIVE")
            String kind,

            @Schema(description = "RECEIVE: items received (> 0); ADJUST: signed change", example = "20")
            Long quantity,

            @Schema(description = "Why (required for ADJUST)")
            String reason) {}

    /** Reserve a gift for a member at a store; the idempotency key makes a retry safe. */
    @Schema(description = "Reserve a gift; name the member by memberId, cardNumber or phone")
    public record ReserveCommand(
            @Schema(description = "Unique per reservation; a retry with the same key returns the first result")
            String idempotencyKey,

            Long memberId,
            String cardNumber,
            String phone,
            @Schema(example = "MUG-2026") String giftCode,
            @Schema(example = "SH001") String storeCode,

            @Schema(description = "Items, 1 to 99; default 1")
            Integer quantity) {}

    private final JdbcClient jdbc;
    private final PointsLedger ledger;
    private final ProgramSettings settings;
    private final MemberReferences members;
    private final OrganizationManagement organization;
    private final AuditLog audit;

    GiftCatalog(
            JdbcClient jdbc,
            PointsLedger ledger,
            ProgramSettings settings,
            MemberReferences members,
            OrganizationManagement organization,
            AuditLog audit) {
        this.jdbc = jdbc;
        this.ledger = ledger;
        this.settings = settings;
        this.members = members;
        this.organization = organization;
        this.audit = audit;
    }

    // ------------------------------------------------------------------ catalog

    /** The catalog, with stock summed over the caller's stores; search by code or name. */
    @Transactional(readOnly = true)
    public PageResult<Gift> gifts(PageQuery page, boolean activeOnly) {
        String order = page.orderBy(SORTS, "code");
        Long[] scope = CurrentStaff.scope().filterOrNull();
        String like = page.likePattern();
        String where = " where (?::text is null or g.code ilike ? or g.name_zh ilike ? or g.name_en ilike ?)"
                + (activeOnly ? " and g.active" : "");
        long total = jdbc.sql("select count(*) from loyalty.gift g" + where)
                .params(like, like, like, like)
                .query(Long.class)
                .single();
        List<Gift> items = jdbc.sql(giftSelect() + where + " order by " + order + " limit ? offset ?")
                .params(scope, scope, scope, scope, like, like, like, like, page.size(), page.offset())
                .query(GiftCatalog::gift)
                .list();
        return new PageResult<>(items, page.page(), page.size(), total);
    }

    @Transactional(readOnly = true)
    public Gift gift(String code) {
        return findGift(code).orElseThrow(() -> PatronException.notFound("gifts.notFound", code));
    }

    @Transactional(readOnly = true)
    public Optional<Gift> findGift(String code) {
        Long[] scope = CurrentStaff.scope().filterOrNull();
        return jdbc.sql(giftSelect() + " where g.code = ?")
                .params(scope, scope, scope, scope, code == null ? "" : code.strip())
                .query(GiftCatalog::gift)
                .optional();
    }

    private static String giftSelect() {
        return """
                select g.code, g.name_zh, g.name_en, g.description, g.points_price, g.cash_fen, g.image_url,
                    g.valid_from, g.valid_to, g.active, g.updated_at,
                    (select coalesce(sum(s.on_hand), 0) from loyalty.gift_stock s
                     where s.gift_id = g.id and (?::bigint[] is null or s.store_id = any(?))) as on_hand,
                    (select coalesce(sum(s.on_hand - s.reserved), 0) from loyalty.gift_stock s
                     where s.gift_id = g.id and (?::bigint[] is null or s.store_id = any(?))) as available
                from loyalty.gift g""";
    }

    private static Gift gift(ResultSet rs, int n) throws SQLException {
        return new Gift(
                rs.getString(1),
                rs.getString(2),
                rs.getString(3),
                rs.getString(4),
                rs.getLong(5),
                rs.getLong(6),
                rs.getString(7),
                rs.getObject(8, LocalDate.class),
                rs.getObject(9, LocalDate.class),
                rs.getBoolean(10),
                rs.getLong(12),
                rs.getLong(13),
                rs.getObject(11, OffsetDateTime.class));
    }

    /** Adds a gift to the catalog (ADMIN with all stores; audited). */
    @Transactional
    public Gift create(GiftCommand c) {
        CurrentStaff.requireAnyRole(Role.ADMIN);
        CurrentStaff.requireAllStores();
        List<PatronException.FieldError> errors = validate(c, true);
        if (errors.isEmpty()
                && jdbc.sql("select count(*) from loyalty.gift where code = ?")
                                .param(c.code().strip())
                                .query(Long.class)
                                .single()
                        > 0) {
            errors.add(new PatronException.FieldError("code", "gifts.validation.codeTaken"));
        }
        if (!errors.isEmpty()) {
            throw new PatronException(HttpStatus.BAD_REQUEST, errors, "error.validation");
        }
        jdbc.sql("""
                insert into loyalty.gift (code, name_zh, name_en, description, points_price, cash_fen, image_url,
                    valid_from, valid_to, active, updated_by)
                values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) on conflict (code) do nothing""")
                .params(
                        c.code().strip(),
                        c.nameZh().strip(),
                        c.nameEn().strip(),
                        text(c.description()),
                        c.pointsPrice(),
                        c.cashFen() == null ? 0 : c.cashFen(),
                        blankToNull(c.imageUrl()),
                        c.validFrom(),
                        c.validTo(),
                        c.active() == null || c.active(),
                        CurrentStaff.get().auditName())
                .update();
        Gift g = gift(c.code().strip());
        audit.record("gift.created", "gift", g.code(), Map.of("after", g.toString()));
        return g;
    }

    /** Changes a gift (not its code; ADMIN with all stores; audited). */
    @Transactional
    public Gift update(String code, GiftCommand c) {
        CurrentStaff.requireAnyRole(Role.ADMIN);
        CurrentStaff.requireAllStores();
        long id = giftIdForUpdate(code);
        Gift before = gift(code);
        List<PatronException.FieldError> errors = validate(c, false);
        if (c.code() != null && !c.code().isBlank() && !c.code().strip().equals(before.code())) {
            errors.add(new PatronException.FieldError("code", "gifts.validation.codeFixed"));
        }
        if (!errors.isEmpty()) {
            throw new PatronException(HttpStatus.BAD_REQUEST, errors, "error.validation");
        }
        jdbc.sql("""
                update loyalty.gift set name_zh = ?, name_en = ?, description = ?, points_price = ?, cash_fen = ?,
                    image_url = ?, valid_from = ?, valid_to = ?, active = ?, updated_at = now(), updated_by = ?
                where id = ?""")
                .params(
                        c.nameZh().strip(),
                        c.nameEn().strip(),
                        text(c.description()),
                        c.pointsPrice(),
                        c.cashFen() == null ? 0 : c.cashFen(),
                        blankToNull(c.imageUrl()),
                        c.validFrom(),
                        c.validTo(),
                        c.active() == null || c.active(),
                        CurrentStaff.get().auditName(),
                        id)
                .update();
        Gift after = gift(code);
        audit.record(
                "gift.changed", "gift", after.code(), Map.of("before", before.toString(), "after", after.toString()));
        return after;
    }

    private List<PatronException.FieldError> validate(GiftCommand c, boolean creating) {
        List<PatronException.FieldError> errors = new ArrayList<>();
        if (creating) {
            if (c.code() == null || c.code().isBlank()) {
                errors.add(new PatronException.FieldError("code", "validation.required"));
            } else if (!CODE.matcher(c.code().strip()).matches()) {
                errors.add(new PatronException.FieldError("code", "gifts.validation.code"));
            }
        }
        checkName(errors, "nameZh", c.nameZh());
        checkName(errors, "nameEn", c.nameEn());
        if (c.description() != null && c.description().length() > 2000) {
            errors.add(new PatronException.FieldError("description", "gifts.validation.description"));
        }
        if (c.pointsPrice() == null) {
            errors.add(new PatronException.FieldError("pointsPrice", "validation.required"));
        } else if (c.pointsPrice() < 1 || c.pointsPrice() > LoyaltyManagement.MAX_POINTS) {
            errors.add(new PatronException.FieldError("pointsPrice", "loyalty.validation.points"));
        }
        if (c.cashFen() != null && (c.cashFen() < 0 || c.cashFen() > 100_000_000L)) {
            errors.add(new PatronException.FieldError("cashFen", "gifts.validation.cashFen"));
        }
        String url = blankToNull(c.imageUrl());
        if (url != null && !validUrl(url)) {
            errors.add(new PatronException.FieldError("imageUrl", "gifts.validation.imageUrl"));
        }
        if (c.validFrom() != null && c.validTo() != null && c.validTo().isBefore(c.validFrom())) {
            errors.add(new PatronException.FieldError("validTo", "gifts.validation.validTo"));
        }
        return errors;
    }

    private static void checkName(List<PatronException.FieldError> errors, String field, String value) {
        if (value == null || value.isBlank()) {
            errors.add(new PatronException.FieldError(field, "validation.required"));
        } else if (value.strip().length() > 100) {
            errors.add(new PatronException.FieldError(field, "gifts.validation.name"));
        }
    }

    private static boolean validUrl(String url) {
        if (url.length() > 500) {
            return false;
        }
        try {
            URI u = new URI(url);
            return ("http".equals(u.getScheme()) || "https".equals(u.getScheme())) && u.getHost() != null;
        } catch (java.net.URISyntaxException e) {
            return false;
        }
    }

    private long giftIdForUpdate(String code) {
        return jdbc.sql("select id from loyalty.gift where code = ? for update")
                .param(code == null ? "" : code.strip())
                .query(Long.class)
                .optional()
                .orElseThrow(() -> PatronException.notFound("gifts.notFound", code));
    }

    // ------------------------------------------------------------------ stock

    /** The gift's stock at each store in the caller's scope that ever had some. */
    @Transactional(readOnly = true)
    public List<GiftStock> stock(String code) {
        Gift g = gift(code);
        Long[] scope = CurrentStaff.scope().filterOrNull();
        List<long[]> rows = jdbc.sql("""
                select s.store_id, s.on_hand, s.reserved from loyalty.gift_stock s join loyalty.gift g on g.id = s.gift_id
                where g.code = ? and (?::bigint[] is null or s.store_id = any(?)) order by s.store_id""")
                .params(g.code(), scope, scope)
                .query((rs, n) -> new long[] {rs.getLong(1), rs.getLong(2), rs.getLong(3)})
                .list();
        Map<Long, String> codes =
                organization.storeCodes(rows.stream().map(r -> r[0]).toList());
        return rows.stream()
                .map(r -> new GiftStock(g.code(), codes.get(r[0]), r[1], r[2], r[1] - r[2]))
                .toList();
    }

    /** The stock of every active gift at one store (for the desk and the stock page). */
    @Transactional(readOnly = true)
    public List<GiftStock> storeStock(String storeCode) {
        long storeId = storeInScope(storeCode);
        return jdbc.sql("""
                select g.code, coalesce(s.on_hand, 0), coalesce(s.reserved, 0) from loyalty.gift g
                left join loyalty.gift_stock s on s.gift_id = g.id and s.store_id = ?
                where g.active or s.on_hand > 0 order by g.code""")
                .param(storeId)
                .query((rs, n) -> new GiftStock(
                        rs.getString(1),
                        storeCode.strip(),
                        rs.getLong(2),
                        rs.getLong(3),
                        rs.getLong(2) - rs.getLong(3)))
                .list();
    }

    /** Stock movements of a gift (optionally at one store in scope), newest first. */
    @Transactional(readOnly = true)
    public PageResult<GiftStock.Movement> movements(String code, String storeCode, PageQuery page) {
        Gift g = gift(code);
        Long storeId = storeCode == null || storeCode.isBlank() ? null : storeInScope(storeCode);
        Long[] scope = CurrentStaff.scope().filterOrNull();
        String where = """
                 from loyalty.gift_stock_movement m join loyalty.gift g on g.id = m.gift_id
                where g.code = ? and (?::bigint is null or m.store_id = ?) and (?::bigint[] is null or m.store_id = any(?))""";
        long total = jdbc.sql("select count(*)" + where)
                .params(g.code(), storeId, storeId, scope, scope)
                .query(Long.class)
                .single();
        List<Object[]> rows = jdbc.sql("select m.id, m.store_id, m.kind, m.on_hand_change, m.reserved_change,"
                        + " m.reservation_id, m.reason, m.created_by, m.created_at" + where
                        + " order by m.id desc limit ? offset ?")
                .params(g.code(), storeId, storeId, scope, scope, page.size(), page.offset())
                .query((rs, n) -> new Object[] {
                    rs.getLong(1),
                    rs.getLong(2),
                    rs.getString(3),
                    rs.getLong(4),
                    rs.getLong(5),
                    rs.getObject(6),
                    rs.getString(7),
                    rs.getString(8),
                    rs.getObject(9, OffsetDateTime.class)
                })
                .list();
        Map<Long, String> codes = organization.storeCodes(
                rows.stream().map(r -> (Long) r[1]).distinct().toList());
        List<GiftStock.Movement> items = rows.stream()
                .map(r -> new GiftStock.Movement(
                        (Long) r[0],
                        g.code(),
                        codes.get((Long) r[1]),
                        (String) r[2],
                        (Long) r[3],
                        (Long) r[4],
                        (Long) r[5],
                        (String) r[6],
                        (String) r[7],
                        (OffsetDateTime) r[8]))
                .toList();
        return new PageResult<>(items, page.page(), page.size(), total);
    }

    /** Receives or adjusts a gift's stock at a store (ADMIN or STORE_MANAGER of the store; audited). */
    @Transactional
    public GiftStock changeStock(String code, StockCommand c) {
        CurrentStaff.requireAnyRole(STOCK_KEEPERS);
        List<PatronException.FieldError> errors = new ArrayList<>();
        String kind = c.kind() == null ? "" : c.kind().strip();
        if (!List.of("RECEIVE", "ADJUST").contains(kind)) {
            errors.add(new PatronException.FieldError(
                    "kind", kind.isEmpty() ? "validation.required" : "gifts.validation.stockKind"));
        }
        if (c.quantity() == null) {
            errors.add(new PatronException.FieldError("quantity", "validation.required"));
        } else if ("RECEIVE".equals(kind) && (c.quantity() < 1 || c.quantity() > MAX_STOCK_CHANGE)) {
            errors.add(new PatronException.FieldError("quantity", "gifts.validation.receiveQuantity"));
        } else if ("ADJUST".equals(kind) && (c.quantity() == 0 || Math.abs(c.quantity()) > MAX_STOCK_CHANGE)) {
            errors.add(new PatronException.FieldError("quantity", "gifts.validation.adjustQuantity"));
        }
        String reason = text(c.reason());
        if ("ADJUST".equals(kind) && reason.isEmpty()) {
            errors.add(new PatronException.FieldError("reason", "validation.required"));
        } else if (reason.length() > 500) {
            errors.add(new PatronException.FieldError("reason", "loyalty.validation.reason"));
        }
        if (c.storeCode() == null || c.storeCode().isBlank()) {
            errors.add(new PatronException.FieldError("storeCode", "validation.required"));
        }
        if (!errors.isEmpty()) {
            throw new PatronException(HttpStatus.BAD_REQUEST, errors, "error.validation");
        }
        long storeId = storeInScope(c.storeCode());
        long giftId = jdbc.sql("select id from loyalty.gift where code = ?")
                .param(code == null ? "" : code.strip())
                .query(Long.class)
                .optional()
                .orElseThrow(() -> PatronException.notFound("gifts.notFound", code));
        long[] s = lockStock(giftId, storeId);
        long change = c.quantity();
        if (s[0] + change < s[1]) {
            throw LoyaltyManagement.unprocessable("quantity", "gifts.validation.belowReserved", s[0] - s[1], s[1]);
        }
        jdbc.sql(
                        "update loyalty.gift_stock set on_hand = on_hand + ?, updated_at = now() where gift_id = ? and store_id = ?")
                .params(change, giftId, storeId)
                .update();
        movement(giftId, storeId, kind, change, 0, null, reason);
        audit.record(
                "gift.stock." + kind.toLowerCase(java.util.Locale.ROOT),
                "gift",
                code.strip(),
                Map.of("store", c.storeCode().strip(), "quantity", change, "reason", reason));
        return new GiftStock(code.strip(), c.storeCode().strip(), s[0] + change, s[1], s[0] + change - s[1]);
    }

    /** Locks (creating it when missing) the stock row: {on_hand, reserved}. */
    private long[] lockStock(long giftId, long storeId) {
        jdbc.sql("insert into loyalty.gift_stock (gift_id, store_id) values (?, ?) on conflict do nothing")
                .params(giftId, storeId)
                .update();
        return jdbc.sql(
                        "select on_hand, reserved from loyalty.gift_stock where gift_id = ? and store_id = ? for update")
                .params(giftId, storeId)
                .query((rs, n) -> new long[] {rs.getLong(1), rs.getLong(2)})
                .single();
    }

    private void movement(
            long giftId, long storeId, String kind, long onHand, long reserved, Long reservation, String reason) {
        jdbc.sql("""
                insert into loyalty.gift_stock_movement (gift_id, store_id, kind, on_hand_change, reserved_change,
                    reservation_id, reason, created_by) values (?, ?, ?, ?, ?, ?, ?, ?)""")
                .params(
                        giftId,
                        storeId,
                        kind,
                        onHand,
                        reserved,
                        reservation,
                        reason,
                        CurrentStaff.get().auditName())
                .update();
    }

    private long storeInScope(String storeCode) {
        String code = storeCode == null ? "" : storeCode.strip();
        if (code.isEmpty()) {
            throw PatronException.invalid("storeCode", "validation.required");
        }
        long id = organization
                .storeIdByCode(code)
                .orElseThrow(() -> LoyaltyManagement.unprocessable("storeCode", "sales.validation.unknownStore", code));
        CurrentStaff.requireStore(id);
        return id;
    }

    /** Problems with the stock invariants of a gift at a store (empty when they hold). */
    @Transactional(readOnly = true)
    public List<String> verifyStock(String code, String storeCode) {
        List<String> problems = new ArrayList<>();
        long storeId = organization.storeIdByCode(storeCode).orElseThrow();
        jdbc.sql("""
                select s.on_hand, s.reserved,
                    (select coalesce(sum(on_hand_change), 0) from loyalty.gift_stock_movement m where m.gift_id = s.gift_id and m.store_id = s.store_id),
                    (select coalesce(sum(reserved_change), 0) from loyalty.gift_stock_movement m where m.gift_id = s.gift_id and m.store_id = s.store_id),
                    (select coalesce(sum(quantity), 0) from loyalty.gift_reservation r where r.gift_id = s.gift_id and r.store_id = s.store_id and r.status = 'RESERVED')
                from loyalty.gift_stock s join loyalty.gift g on g.id = s.gift_id where g.code = ? and s.store_id = ?""").params(code, storeId).query(rs -> {
            if (rs.getLong(1) != rs.getLong(3)) {
                problems.add("on hand " + rs.getLong(1) + " <> movements " + rs.getLong(3));
            }
            if (rs.getLong(2) != rs.getLong(4)) {
                problems.add("reserved " + rs.getLong(2) + " <> movements " + rs.getLong(4));
            }
            if (rs.getLong(2) != rs.getLong(5)) {
                problems.add("reserved " + rs.getLong(2) + " <> open reservations " + rs.getLong(5));
            }
        });
        return problems;
    }

    // ------------------------------------------------------------------ settings

    /** Hours a reservation waits to be handed out before it expires. */
    @Transactional(readOnly = true)
    public int reservationHours() {
        return jdbc.sql("select reservation_hours from loyalty.gift_settings where id = 1")
                .query(Integer.class)
                .single();
    }

    /** Changes the reservation hours (ADMIN with all stores; audited). */
    @Transactional
    public int updateReservationHours(Integer hours) {
        CurrentStaff.requireAnyRole(Role.ADMIN);
        CurrentStaff.requireAllStores();
        if (hours == null || hours < 1 || hours > 720) {
            throw PatronException.invalid(
                    "reservationHours", hours == null ? "validation.required" : "gifts.validation.hours");
        }
        int before = reservationHours();
        jdbc.sql(
                        "update loyalty.gift_settings set reservation_hours = ?, updated_at = now(), updated_by = ? where id = 1")
                .params(hours, CurrentStaff.get().auditName())
                .update();
        audit.record("gift.settings.changed", "gift_settings", 1, Map.of("before", before, "after", hours));
        return hours;
    }

    // ------------------------------------------------------------------ reservations

    /**
     * Reserves a gift (idempotent by key): takes quantity × points price from the member's spendable
     * points and sets the items aside at the store; refused (422 naming the field) when the member
     * cannot be resolved or the card is not active, the gift is unknown, inactive or not valid today,
     * the store lacks the items, or the points do not suffice.
     */
    @Transactional
    public GiftReservation reserve(ReserveCommand c) {
        CurrentStaff.requireAnyRole(SPENDERS);
        List<PatronException.FieldError> errors = new ArrayList<>();
        String key = checkKey(c.idempotencyKey(), errors);
        int quantity = c.quantity() == null ? 1 : c.quantity();
        if (quantity < 1 || quantity > MAX_QUANTITY) {
            errors.add(new PatronException.FieldError("quantity", "gifts.validation.quantity", MAX_QUANTITY));
        }
        if (c.giftCode() == null || c.giftCode().isBlank()) {
            errors.add(new PatronException.FieldError("giftCode", "validation.required"));
        }
        if (c.storeCode() == null || c.storeCode().isBlank()) {
            errors.add(new PatronException.FieldError("storeCode", "validation.required"));
        }
        MemberReference ref = LoyaltyManagement.memberReference(c.memberId(), c.cardNumber(), c.phone(), errors);
        if (!errors.isEmpty()) {
            throw new PatronException(HttpStatus.BAD_REQUEST, errors, "error.validation");
        }
        long storeId = storeInScope(c.storeCode());
        String giftCode = c.giftCode().strip();
        String fingerprint = LoyaltyManagement.sha256("GIFT|" + ref + "|" + giftCode + "|" + storeId + "|" + quantity);
        Optional<GiftReservation> replay = reservationByKey(key, fingerprint);
        if (replay.isPresent()) {
            return replay.get();
        }
        long memberId = resolve(ref);
        ledger.lock(memberId);
        replay = reservationByKey(key, fingerprint); // a concurrent retry may have won while we waited
        if (replay.isPresent()) {
            return replay.get();
        }
        var g = jdbc.sql("""
                select id, points_price, cash_fen, active, valid_from, valid_to, name_zh, name_en
                from loyalty.gift where code = ? for share""")
                .param(giftCode)
                .query((rs, n) -> new Object[] {
                    rs.getLong(1),
                    rs.getLong(2),
                    rs.getLong(3),
                    rs.getBoolean(4),
                    rs.getObject(5, LocalDate.class),
                    rs.getObject(6, LocalDate.class),
                    rs.getString(7),
                    rs.getString(8)
                })
                .optional()
                .orElseThrow(
                        () -> LoyaltyManagement.unprocessable("giftCode", "gifts.validation.unknownGift", giftCode));
        long giftId = (Long) g[0];
        LocalDate today = LoyaltyManagement.today();
        if (!(Boolean) g[3]) {
            throw LoyaltyManagement.unprocessable("giftCode", "gifts.validation.inactive", giftCode);
        }
        LocalDate from = (LocalDate) g[4];
        LocalDate to = (LocalDate) g[5];
        if ((from != null && today.isBefore(from)) || (to != null && today.isAfter(to))) {
            throw LoyaltyManagement.unprocessable(
                    "giftCode",
                    "gifts.validation.notValid",
                    giftCode,
                    today.toString(),
                    from == null ? "—" : from.toString(),
                    to == null ? "—" : to.toString());
        }
        long points = (Long) g[1] * quantity;
        long cash = (Long) g[2] * quantity;
        long[] stock = lockStock(giftId, storeId);
        long available = stock[0] - stock[1];
        if (quantity > available) {
            throw LoyaltyManagement.unprocessable("quantity", "gifts.validation.outOfStock", available);
        }
        long spendable = ledger.spendable(memberId, today);
        if (points > spendable) {
            throw LoyaltyManagement.unprocessable("quantity", "gifts.validation.insufficient", points, spendable);
        }
        String by = CurrentStaff.get().auditName();
        String reason = "gift " + giftCode + " × " + quantity + " (" + g[6] + " / " + g[7] + ")";
        long entryId = ledger.entry(
                memberId,
                new PointsLedger.EntryInfo(EntryKind.REDEEM, null, null, null, null, storeId, reason, by),
                -points,
                0);
        long taken = ledger.takeFromLots(memberId, entryId, points, false, null, today);
        if (taken != points) {
            throw new IllegalStateException("lots of member " + memberId + " do not cover spendable points");
        }
        ledger.debitBalance(memberId, points, 0);
        long id = jdbc.sql("""
                insert into loyalty.gift_reservation (idempotency_key, fingerprint, member_id, gift_id, store_id, quantity,
                    points, cash_fen, entry_id, expires_at, created_by)
                values (?, ?, ?, ?, ?, ?, ?, ?, ?,
                    now() + make_interval(hours => (select reservation_hours from loyalty.gift_settings where id = 1)), ?)
                returning id""")
                .params(key, fingerprint, memberId, giftId, storeId, quantity, points, cash, entryId, by)
                .query(Long.class)
                .single();
        jdbc.sql("update loyalty.entry set gift_reservation_id = ? where id = ?")
                .params(id, entryId)
                .update();
        jdbc.sql(
                        "update loyalty.gift_stock set reserved = reserved + ?, updated_at = now() where gift_id = ? and store_id = ?")
                .params(quantity, giftId, storeId)
                .update();
        movement(giftId, storeId, "RESERVE", 0, quantity, id, reason);
        audit.record(
                "gift.reserved",
                "member",
                memberId,
                Map.of("reservation", id, "gift", giftCode, "quantity", quantity, "points", points, "key", key));
        return reservation(id);
    }

    /** Hands the reserved items out (idempotent by key): they leave the store's stock. */
    @Transactional
    public GiftReservation confirm(long reservationId, String confirmKey) {
        CurrentStaff.requireAnyRole(SPENDERS);
        String key = requireKey(confirmKey);
        long[] r = reservationForChange(reservationId);
        var state = lockedState(reservationId);
        if (!"RESERVED".equals(state[0])) {
            if ("CONFIRMED".equals(state[0]) && key.equals(state[1])) {
                return reservation(reservationId);
            }
            throw notOpen(reservationId, state[0]);
        }
        keyUnused("confirm_key", key);
        long[] stock = lockStock(r[2], r[1]);
        if (stock[1] < r[3] || stock[0] < r[3]) {
            throw new IllegalStateException("stock of reservation " + reservationId + " is not reserved");
        }
        jdbc.sql("""
                update loyalty.gift_stock set on_hand = on_hand - ?, reserved = reserved - ?, updated_at = now()
                where gift_id = ? and store_id = ?""").params(r[3], r[3], r[2], r[1]).update();
        movement(r[2], r[1], "HAND_OUT", -r[3], -r[3], reservationId, "");
        jdbc.sql("""
                update loyalty.gift_reservation set status = 'CONFIRMED', confirm_key = ?, confirmed_at = now(), confirmed_by = ?
                where id = ?""").params(key, CurrentStaff.get().auditName(), reservationId).update();
        audit.record("gift.handedOut", "member", r[0], Map.of("reservation", reservationId, "quantity", r[3]));
        return reservation(reservationId);
    }

    /** Cancels an open reservation (idempotent by key): points back to the lots they came from, items released. */
    @Transactional
    public GiftReservation cancel(long reservationId, String cancelKey) {
        CurrentStaff.requireAnyRole(SPENDERS);
        String key = requireKey(cancelKey);
        reservationForChange(reservationId);
        var state = lockedState(reservationId);
        if (!"RESERVED".equals(state[0])) {
            if ("CANCELLED".equals(state[0]) && key.equals(state[2])) {
                return reservation(reservationId);
            }
            throw notOpen(reservationId, state[0]);
        }
        keyUnused("cancel_key", key);
        giveBack(reservationId, "CANCELLED", key, CurrentStaff.get().auditName());
        return reservation(reservationId);
    }

    /**
     * Expires one reservation that was not handed out in time (the job calls this in its own
     * transaction per reservation); false when it is no longer open or not yet due.
     */
    @Transactional
    boolean expire(long reservationId) {
        Long memberId = jdbc.sql("select member_id from loyalty.gift_reservation where id = ?")
                .param(reservationId)
                .query(Long.class)
                .optional()
                .orElse(null);
        if (memberId == null) {
            return false;
        }
        lockOwner(memberId);
        Boolean due = jdbc.sql("""
                select status = 'RESERVED' and expires_at <= now() from loyalty.gift_reservation where id = ? for update""").param(reservationId).query(Boolean.class).single();
        if (!due) {
            return false;
        }
        giveBack(reservationId, "EXPIRED", null, "system");
        return true;
    }

    /** Open reservations past their time, oldest first. */
    @Transactional(readOnly = true)
    List<Long> dueReservations(int limit) {
        return jdbc.sql(
                        "select id from loyalty.gift_reservation where status = 'RESERVED' and expires_at <= now() order by expires_at, id limit ?")
                .param(limit)
                .query(Long.class)
                .list();
    }

    /**
     * Gives the points of a locked open reservation back to exactly the lots they were taken from
     * (as {@link LoyaltyManagement#cancelRedemption} does) and releases its items.
     */
    private void giveBack(long reservationId, String status, String key, String by) {
        var r = jdbc.sql("""
                select r.member_id, r.points, r.entry_id, r.gift_id, r.store_id, r.quantity, g.code
                from loyalty.gift_reservation r join loyalty.gift g on g.id = r.gift_id where r.id = ?""")
                .param(reservationId)
                .query((rs, n) -> new Object[] {
                    rs.getLong(1),
                    rs.getLong(2),
                    rs.getLong(3),
                    rs.getLong(4),
                    rs.getLong(5),
                    rs.getLong(6),
                    rs.getString(7)
                })
                .single();
        long memberId = (Long) r[0];
        long points = (Long) r[1];
        long redeemEntry = (Long) r[2];
        long giftId = (Long) r[3];
        long storeId = (Long) r[4];
        long quantity = (Long) r[5];
        String reason = ("EXPIRED".equals(status) ? "gift reservation expired: " : "gift reservation cancelled: ")
                + r[6] + " × " + quantity;
        // the points go to whoever holds the member's points now (the survivor after a merge)
        long owner = owner(memberId);
        PointsLedger.Account a = ledger.lock(owner); // already locked by lockOwner: reads the current balance
        PointsLedger.EntryInfo info =
                new PointsLedger.EntryInfo(EntryKind.REDEEM_CANCEL, null, null, null, null, storeId, reason, by);
        boolean lotsStillTheOwners =
                jdbc.sql("""
                        select count(*) from loyalty.lot_use u join loyalty.lot l on l.id = u.lot_id
                        where u.entry_id = ? and l.member_id <> ?""").params(redeemEntry, owner).query(Long.class).single() == 0;
        long entryId;
        if (a.balance() >= 0 && a.debt() == 0 && lotsStillTheOwners) {
            entryId = ledger.entry(owner, info, points, 0);
            jdbc.sql("""
                    update loyalty.lot l set remaining = l.remaining - u.points from loyalty.lot_use u
                    where u.entry_id = ? and u.lot_id = l.id""").param(redeemEntry).update();
            jdbc.sql(
                            "insert into loyalty.lot_use (entry_id, lot_id, points) select ?, lot_id, -points from loyalty.lot_use where entry_id = ?")
                    .params(entryId, redeemEntry)
                    .update();
            jdbc.sql("update loyalty.account set balance = balance + ?, updated_at = now() where member_id = ?")
                    .params(points, owner)
                    .update();
        } else {
            // the balance went below zero (or into debt) since, or the lots moved: a new lot, debt covered first
            LocalDate today = LoyaltyManagement.today();
            entryId = ledger.credit(
                    a, info, points, today, today, settings.current().expiresOn(today));
        }
        jdbc.sql("update loyalty.entry set gift_reservation_id = ? where id = ?")
                .params(reservationId, entryId)
                .update();
        lockStock(giftId, storeId);
        jdbc.sql(
                        "update loyalty.gift_stock set reserved = reserved - ?, updated_at = now() where gift_id = ? and store_id = ?")
                .params(quantity, giftId, storeId)
                .update();
        movement(giftId, storeId, "RELEASE", 0, -quantity, reservationId, reason);
        jdbc.sql("""
                update loyalty.gift_reservation set status = ?, cancel_key = ?, cancel_entry_id = ?, cancelled_at = now(),
                    cancelled_by = ? where id = ?""").params(status, key, entryId, by, reservationId).update();
        audit.recordAs(
                CurrentStaff.get(),
                "EXPIRED".equals(status) ? "gift.reservationExpired" : "gift.reservationCancelled",
                "member",
                owner,
                Map.of("reservation", reservationId, "points", points, "quantity", quantity, "member", memberId));
    }

    /** Reads the reservation, checks the store scope and locks the member's account: {member, store, gift, quantity}. */
    private long[] reservationForChange(long reservationId) {
        long[] r = jdbc.sql("select member_id, store_id, gift_id, quantity from loyalty.gift_reservation where id = ?")
                .param(reservationId)
                .query((rs, n) -> new long[] {rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4)})
                .optional()
                .orElseThrow(() -> PatronException.notFound("gifts.reservation.notFound", reservationId));
        CurrentStaff.requireStore(r[1]);
        lockOwner(r[0]);
        return r;
    }

    /** The active member holding {@code memberId}'s points now: itself, or its survivor after a merge. */
    private long owner(long memberId) {
        Long current = members.activeIds(List.of(memberId)).get(memberId);
        return current == null ? memberId : current;
    }

    /** Locks the accounts of the member and of its current owner (in member id order, like merges do). */
    private void lockOwner(long memberId) {
        ledger.lockAll(List.of(memberId, owner(memberId)));
    }

    /** {status, confirm_key, cancel_key} with the reservation row locked. */
    private String[] lockedState(long reservationId) {
        return jdbc.sql("select status, confirm_key, cancel_key from loyalty.gift_reservation where id = ? for update")
                .param(reservationId)
                .query((rs, n) -> new String[] {rs.getString(1), rs.getString(2), rs.getString(3)})
                .single();
    }

    private void keyUnused(String column, String key) {
        if (jdbc.sql("select count(*) from loyalty.gift_reservation where " + column + " = ?")
                        .param(key)
                        .query(Long.class)
                        .single()
                > 0) {
            throw PatronException.conflict("idempotencyKey", "loyalty.validation.keyReused");
        }
    }

    private static PatronException notOpen(long id, String status) {
        return PatronException.conflict("status", "gifts.reservation.notOpen." + status, id);
    }

    /** A member's gift reservations, newest first (404 for an unknown member; merged ids show the survivor's). */
    @Transactional(readOnly = true)
    public PageResult<GiftReservation> memberReservations(long memberId, PageQuery page) {
        Long id = members.activeIds(List.of(memberId)).get(memberId);
        if (id == null) {
            throw PatronException.notFound("error.members.notFound", memberId);
        }
        Long[] scope = CurrentStaff.scope().filterOrNull();
        return reservations(
                "r.member_id = ? and (?::bigint[] is null or r.store_id = any(?))",
                new Object[] {id, scope, scope},
                page);
    }

    /** A store's reservations with the given status (all statuses when null), newest first. */
    @Transactional(readOnly = true)
    public PageResult<GiftReservation> storeReservations(String storeCode, String status, PageQuery page) {
        long storeId = storeInScope(storeCode);
        String s = status == null || status.isBlank() ? null : status.strip();
        if (s != null
                && !List.of("RESERVED", "CONFIRMED", "CANCELLED", "EXPIRED").contains(s)) {
            throw PatronException.invalid("status", "gifts.validation.status");
        }
        return reservations("r.store_id = ? and (?::text is null or r.status = ?)", new Object[] {storeId, s, s}, page);
    }

    private PageResult<GiftReservation> reservations(String where, Object[] params, PageQuery page) {
        long total = jdbc.sql("select count(*) from loyalty.gift_reservation r where " + where)
                .params(params)
                .query(Long.class)
                .single();
        Object[] all = java.util.Arrays.copyOf(params, params.length + 2);
        all[params.length] = page.size();
        all[params.length + 1] = page.offset();
        List<Long> ids = jdbc.sql("select r.id from loyalty.gift_reservation r where " + where
                        + " order by r.id desc limit ? offset ?")
                .params(all)
                .query(Long.class)
                .list();
        Map<Long, GiftReservation> byId = new LinkedHashMap<>();
        ids.forEach(i -> byId.put(i, null));
        readReservations(ids).forEach(r -> byId.put(r.id(), r));
        return new PageResult<>(new ArrayList<>(byId.values()), page.page(), page.size(), total);
    }

    @Transactional(readOnly = true)
    public GiftReservation reservation(long id) {
        List<GiftReservation> found = readReservations(List.of(id));
        if (found.isEmpty()) {
            throw PatronException.notFound("gifts.reservation.notFound", id);
        }
        CurrentStaff.requireStore(
                organization.storeIdByCode(found.get(0).storeCode()).orElse(-1L));
        return found.get(0);
    }

    private List<GiftReservation> readReservations(List<Long> ids) {
        if (ids.isEmpty()) {
            return List.of();
        }
        List<Object[]> rows = jdbc.sql("""
                select r.id, r.member_id, g.code, g.name_zh, g.name_en, r.store_id, r.quantity, r.points, r.cash_fen, r.status,
                    coalesce(a.balance, 0), r.expires_at, r.created_at, r.confirmed_at, r.cancelled_at
                from loyalty.gift_reservation r join loyalty.gift g on g.id = r.gift_id
                left join loyalty.account a on a.member_id = r.member_id
                where r.id = any(?) order by r.id desc""")
                .param(ids.toArray(Long[]::new))
                .query((rs, n) -> new Object[] {
                    rs.getLong(1),
                    rs.getLong(2),
                    rs.getString(3),
                    rs.getString(4),
                    rs.getString(5),
                    rs.getLong(6),
                    rs.getInt(7),
                    rs.getLong(8),
                    rs.getLong(9),
                    rs.getString(10),
                    rs.getLong(11),
                    rs.getObject(12, OffsetDateTime.class),
                    rs.getObject(13, OffsetDateTime.class),
                    rs.getObject(14, OffsetDateTime.class),
                    rs.getObject(15, OffsetDateTime.class)
                })
                .list();
        Map<Long, String> stores = organization.storeCodes(
                rows.stream().map(r -> (Long) r[5]).distinct().toList());
        return rows.stream()
                .map(r -> new GiftReservation(
                        (Long) r[0],
                        (Long) r[1],
                        (String) r[2],
                        (String) r[3],
                        (String) r[4],
                        stores.get((Long) r[5]),
                        (Integer) r[6],
                        (Long) r[7],
                        (Long) r[8],
                        (String) r[9],
                        (Long) r[10],
                        (OffsetDateTime) r[11],
                        (OffsetDateTime) r[12],
                        (OffsetDateTime) r[13],
                        (OffsetDateTime) r[14]))
                .toList();
    }

    private Optional<GiftReservation> reservationByKey(String key, String fingerprint) {
        var found = jdbc.sql("select id, fingerprint from loyalty.gift_reservation where idempotency_key = ?")
                .param(key)
                .query((rs, n) -> Map.entry(rs.getLong(1), rs.getString(2)))
                .optional();
        if (found.isEmpty()) {
            return Optional.empty();
        }
        if (!found.get().getValue().equals(fingerprint)) {
            throw PatronException.conflict("idempotencyKey", "loyalty.validation.keyReused");
        }
        return Optional.of(reservation(found.get().getKey()));
    }

    // ------------------------------------------------------------------ helpers

    private static String checkKey(String raw, List<PatronException.FieldError> errors) {
        String key = raw == null ? "" : raw.strip();
        if (key.isEmpty() || key.length() > 100) {
            errors.add(new PatronException.FieldError(
                    "idempotencyKey", key.isEmpty() ? "validation.required" : "loyalty.validation.key"));
        }
        return key;
    }

    private static String requireKey(String raw) {
        List<PatronException.FieldError> errors = new ArrayList<>();
        String key = checkKey(raw, errors);
        if (!errors.isEmpty()) {
            throw new PatronException(HttpStatus.BAD_REQUEST, errors, "error.validation");
        }
        return key;
    }

    /**
     * The member a desk clerk names by card number or mobile phone (a mobile number is tried as a
     * phone, anything else as a card); 422 naming {@code member} when none or the card is inactive.
     */
    @Transactional(readOnly = true)
    public long memberIdAtDesk(String cardOrPhone) {
        CurrentStaff.requireAnyRole(SPENDERS);
        String v = cardOrPhone == null ? "" : cardOrPhone.strip();
        if (v.isEmpty()) {
            throw PatronException.invalid("member", "validation.required");
        }
        MemberReference ref = v.matches("^(\\+?86)?1\\d{10}$") ? MemberReference.phone(v) : MemberReference.card(v);
        MemberReferences.Resolution r = members.resolve(List.of(ref)).get(ref);
        if (r == null || !r.resolved()) {
            throw LoyaltyManagement.unprocessable(
                    "member",
                    r != null && r.failure() == MemberReferences.Failure.CARD_INACTIVE
                            ? "sales.validation.cardInactive"
                            : "sales.validation.unknownMember");
        }
        return r.memberId();
    }

    @Transactional(propagation = Propagation.MANDATORY)
    long resolve(MemberReference ref) {
        MemberReferences.Resolution r = members.resolve(List.of(ref)).get(ref);
        if (r == null || !r.resolved()) {
            String key = r != null && r.failure() == MemberReferences.Failure.CARD_INACTIVE
                    ? "sales.validation.cardInactive"
                    : "sales.validation.unknownMember";
            throw LoyaltyManagement.unprocessable(ref.field(), key);
        }
        return r.memberId();
    }

    private static String text(String s) {
        return s == null ? "" : s.strip();
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }
}
