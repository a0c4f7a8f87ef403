package dev.patron.sales;

import dev.patron.members.MemberReference;
import dev.patron.organization.Codes;
import dev.patron.organization.OrganizationCodes;
import dev.patron.shared.web.PatronException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * Checks a POS sale ticket and turns it into a {@link PreparedTicket}: required fields, lengths,
 * quantities and money (exact integer fen), line arithmetic, lines vs payments vs total, store,
 * counter, brand and category codes, business date not in the future. Reports every problem of the
 * ticket at once (see {@link TicketProblems}). The fingerprint covers the request as sent (before
 * defaults), so a retry with the same content always matches its first recording.
 */
final class SalePreparer {

    static final int MAX_LINES = 500;
    static final int MAX_PAYMENTS = 20;
    static final long MAX_FEN = 10_000_000_000L; // 100 million yuan per line or payment
    static final BigDecimal MAX_QUANTITY = new BigDecimal("100000");
    /** Tolerated clock difference between a POS and the server for {@code occurredAt}. */
    static final Duration MAX_CLOCK_SKEW = Duration.ofMinutes(10);

    private SalePreparer() {}

    static PreparedTicket prepare(SaleCommand c, SaleSource source, boolean accruePoints, ReferenceCache cache) {
        TicketProblems p = new TicketProblems();
        if (c == null) {
            p.invalid("sale", "validation.required");
            throw p.exception();
        }
        Header h = header(
                c.storeCode(),
                c.posTransactionId(),
                c.posTerminal(),
                c.cashier(),
                c.businessDate(),
                c.occurredAt(),
                true,
                cache,
                p);
        OrganizationCodes codes = h.codes();
        OrganizationCodes.StoreRef store = h.store();
        String storeCode = h.storeCode();
        if (c.currency() != null && !"CNY".equalsIgnoreCase(c.currency().trim())) {
            p.invalid("currency", "sales.validation.currency");
        }
        // member
        MemberReference member = memberReference(c, p);
        // lines
        List<PreparedTicket.Line> lines = new ArrayList<>();
        long gross = 0;
        long discount = 0;
        long total = 0;
        BigDecimal quantity = BigDecimal.ZERO;
        if (c.lines() == null || c.lines().isEmpty()) {
            p.invalid("lines", "validation.required");
        } else if (c.lines().size() > MAX_LINES) {
            p.invalid("lines", "sales.validation.tooManyLines", MAX_LINES);
        } else {
            for (int i = 0; i < c.lines().size(); i++) {
                SaleCommand.Line l = c.lines().get(i);
                String f = "lines[" + i + "].";
                if (l == null) {
                    p.invalid("lines[" + i + "]", "validation.required");
                    continue;
                }
                int before = errorsMark(p);
                String sku = trimToNull(l.sku());
                if (sku == null) {
                    p.invalid(f + "sku", "validation.required");
                } else if (sku.length() > 64) {
                    p.invalid(f + "sku", "sales.validation.tooLong", 64);
                }
                String name = Objects.requireNonNullElse(trimToNull(l.name()), "");
                if (name.length() > 200) {
                    p.invalid(f + "name", "sales.validation.tooLong", 200);
                }
                Long brandId = null;
                String brandCode = Codes.normalize(trimToNull(l.brandCode()));
                if (brandCode != null) {
                    brandId = codes.brands().get(brandCode);
                    if (brandId == null) {
                        codes = cache.codesAfterMiss();
                        brandId = codes.brands().get(brandCode);
                    }
                    if (brandId == null) {
                        p.unprocessable(f + "brandCode", "sales.validation.unknownBrand", brandCode);
                    }
                }
                Long categoryId = null;
                String categoryCode = Codes.normalize(trimToNull(l.categoryCode()));
                if (categoryCode != null) {
                    categoryId = codes.categories().get(categoryCode);
                    if (categoryId == null) {
                        codes = cache.codesAfterMiss();
                        categoryId = codes.categories().get(categoryCode);
                    }
                    if (categoryId == null) {
                        p.unprocessable(f + "categoryCode", "sales.validation.unknownCategory", categoryCode);
                    }
                }
                Long counterId = null;
                String counterCode = Codes.normalize(trimToNull(l.counterCode()));
                if (counterCode != null) {
                    OrganizationCodes.CounterRef counter = codes.counters().get(counterCode);
                    if (counter == null) {
                        codes = cache.codesAfterMiss();
                        counter = codes.counters().get(counterCode);
                    }
                    if (counter == null) {
                        p.unprocessable(f + "counterCode", "sales.validation.unknownCounter", counterCode);
                    } else if (store != null && counter.storeId() != store.id()) {
                        p.unprocessable(f + "counterCode", "sales.validation.counterElsewhere", counterCode, storeCode);
                    } else {
                        counterId = counter.id();
                    }
                }
                BigDecimal q = l.quantity();
                if (q == null) {
                    p.invalid(f + "quantity", "validation.required");
                } else if (q.signum() <= 0) {
                    p.invalid(f + "quantity", "sales.validation.quantityPositive");
                } else if (q.stripTrailingZeros().scale() > 3 || q.compareTo(MAX_QUANTITY) >= 0) {
                    p.invalid(f + "quantity", "sales.validation.quantityFormat");
                }
                Long price = l.unitPriceFen();
                if (price == null) {
                    p.invalid(f + "unitPriceFen", "validation.required");
                } else if (price < 0 || price > MAX_FEN) {
                    p.invalid(f + "unitPriceFen", "sales.validation.money");
                }
                long lineDiscount = l.discountFen() == null ? 0 : l.discountFen();
                if (lineDiscount < 0 || lineDiscount > MAX_FEN) {
                    p.invalid(f + "discountFen", "sales.validation.money");
                }
                if (errorsMark(p) != before) {
                    continue;
                }
                long lineGross = q.multiply(BigDecimal.valueOf(price))
                        .setScale(0, RoundingMode.HALF_UP)
                        .longValueExact();
                if (lineDiscount > lineGross) {
                    p.unprocessable(f + "discountFen", "sales.validation.discountTooHigh", lineGross);
                    continue;
                }
                long amount = lineGross - lineDiscount;
                if (l.amountFen() != null && l.amountFen() != amount) {
                    p.unprocessable(f + "amountFen", "sales.validation.lineAmount", amount);
                    continue;
                }
                BigDecimal normalizedQ = q.stripTrailingZeros();
                lines.add(new PreparedTicket.Line(
                        i + 1,
                        sku,
                        name,
                        brandId,
                        brandCode,
                        categoryId,
                        categoryCode,
                        counterId,
                        counterCode,
                        normalizedQ.scale() < 0 ? normalizedQ.setScale(0) : normalizedQ,
                        price,
                        lineDiscount,
                        amount,
                        null));
                gross += lineGross;
                discount += lineDiscount;
                total += amount;
                quantity = quantity.add(q);
            }
        }
        // payments
        List<PreparedTicket.Payment> payments = payments(c.payments(), p, false);
        if (!p.any()) {
            long paid = payments.stream()
                    .mapToLong(PreparedTicket.Payment::amountFen)
                    .sum();
            if (paid != total) {
                p.unprocessable("payments", "sales.validation.paymentsMismatch", paid, total);
            }
            if (c.totalFen() != null && c.totalFen() != total) {
                p.unprocessable("totalFen", "sales.validation.totalMismatch", total);
            }
        }
        p.throwIfAny();
        return new PreparedTicket(
                SaleKind.SALE,
                store.id(),
                storeCode,
                h.terminal(),
                h.txn(),
                null,
                h.businessDate(),
                h.occurredAt(),
                h.cashier(),
                member,
                null,
                gross,
                discount,
                total,
                quantity,
                source,
                accruePoints,
                fingerprint(c, storeCode),
                lines,
                payments);
    }

    /** The checked ticket header: store, POS ids, cashier and dates (defaults applied). */
    record Header(
            OrganizationCodes codes,
            OrganizationCodes.StoreRef store,
            String storeCode,
            String txn,
            String terminal,
            String cashier,
            OffsetDateTime occurredAt,
            LocalDate businessDate) {}

    /**
     * Checks what every ticket (sale or return) carries: a known store (open, when
     * {@code requireOpenStore}), the POS transaction id, terminal and cashier, and dates not in the
     * future; business date defaults to the day of {@code occurredAt} (or today) in the store's zone.
     */
    static Header header(
            String storeCodeIn,
            String posTransactionId,
            String posTerminal,
            String cashierIn,
            LocalDate businessDateIn,
            OffsetDateTime occurredAtIn,
            boolean requireOpenStore,
            ReferenceCache cache,
            TicketProblems p) {
        OrganizationCodes codes = cache.codes();
        OrganizationCodes.StoreRef store = null;
        String storeCode = Codes.normalize(trimToNull(storeCodeIn));
        if (storeCode == null) {
            p.invalid("storeCode", "validation.required");
        } else {
            store = codes.stores().get(storeCode);
            if (store == null) {
                codes = cache.codesAfterMiss();
                store = codes.stores().get(storeCode);
            }
            if (store == null) {
                p.unprocessable("storeCode", "sales.validation.unknownStore", storeCode);
            } else if (requireOpenStore && !store.active()) {
                p.unprocessable("storeCode", "sales.validation.storeClosed", storeCode);
            }
        }
        String txn = trimToNull(posTransactionId);
        if (txn == null) {
            p.invalid("posTransactionId", "validation.required");
        } else if (txn.length() > 64 || !printable(txn)) {
            p.invalid("posTransactionId", "sales.validation.posTransactionId");
        }
        String terminal = Objects.requireNonNullElse(trimToNull(posTerminal), "");
        if (terminal.length() > 32) {
            p.invalid("posTerminal", "sales.validation.tooLong", 32);
        }
        String cashier = Objects.requireNonNullElse(trimToNull(cashierIn), "");
        if (cashier.length() > 64) {
            p.invalid("cashier", "sales.validation.tooLong", 64);
        }
        ZoneId zone = zone(store);
        OffsetDateTime now = OffsetDateTime.now(zone);
        if (occurredAtIn != null && occurredAtIn.isAfter(now.plus(MAX_CLOCK_SKEW))) {
            p.unprocessable("occurredAt", "sales.validation.future");
        }
        LocalDate businessDate = businessDateIn != null
                ? businessDateIn
                : (occurredAtIn != null ? occurredAtIn.atZoneSameInstant(zone) : now.atZoneSameInstant(zone))
                        .toLocalDate();
        if (businessDate.isAfter(now.toLocalDate())) {
            p.unprocessable("businessDate", "sales.validation.future");
        }
        if (businessDate.isBefore(LocalDate.of(2000, 1, 1))) {
            p.unprocessable("businessDate", "sales.validation.tooOld");
        }
        return new Header(
                codes,
                store,
                storeCode,
                txn,
                terminal,
                cashier,
                // the database keeps microseconds: the ticket answered and announced equals the one stored
                (occurredAtIn != null ? occurredAtIn : now).truncatedTo(java.time.temporal.ChronoUnit.MICROS),
                businessDate);
    }

    static List<PreparedTicket.Payment> payments(List<SaleCommand.Payment> given, TicketProblems p, boolean refund) {
        List<PreparedTicket.Payment> payments = new ArrayList<>();
        if (given == null || given.isEmpty()) {
            if (!refund) {
                p.invalid("payments", "validation.required");
            }
            return payments;
        }
        if (given.size() > MAX_PAYMENTS) {
            p.invalid("payments", "sales.validation.tooManyPayments", MAX_PAYMENTS);
            return payments;
        }
        for (int i = 0; i < given.size(); i++) {
            SaleCommand.Payment pay = given.get(i);
            String f = "payments[" + i + "].";
            if (pay == null) {
                p.invalid("payments[" + i + "]", "validation.required");
                continue;
            }
            if (pay.method() == null) {
                p.invalid(f + "method", "validation.required");
            }
            if (pay.amountFen() == null) {
                p.invalid(f + "amountFen", "validation.required");
            } else if (pay.amountFen() <= 0 || pay.amountFen() > MAX_FEN) {
                p.invalid(f + "amountFen", "sales.validation.paymentAmount");
            }
            String ref = Objects.requireNonNullElse(trimToNull(pay.reference()), "");
            if (ref.length() > 128) {
                p.invalid(f + "reference", "sales.validation.tooLong", 128);
            }
            if (pay.method() != null && pay.amountFen() != null && pay.amountFen() > 0) {
                long amount = refund ? -pay.amountFen() : pay.amountFen();
                payments.add(new PreparedTicket.Payment(i + 1, pay.method(), amount, ref));
            }
        }
        return payments;
    }

    private static MemberReference memberReference(SaleCommand c, TicketProblems p) {
        List<MemberReference> refs = new ArrayList<>();
        if (c.memberId() != null) {
            if (c.memberId() <= 0) {
                p.invalid("memberId", "sales.validation.memberId");
            } else {
                refs.add(MemberReference.id(c.memberId()));
            }
        }
        if (trimToNull(c.cardNumber()) != null) {
            refs.add(MemberReference.card(c.cardNumber().trim()));
        }
        if (trimToNull(c.phone()) != null) {
            refs.add(MemberReference.phone(c.phone().trim()));
        }
        boolean hasSystem = trimToNull(c.system()) != null;
        boolean hasExternal = trimToNull(c.externalId()) != null;
        if (hasSystem != hasExternal) {
            p.invalid(hasSystem ? "externalId" : "system", "validation.required");
        } else if (hasSystem) {
            refs.add(MemberReference.external(c.system().trim(), c.externalId().trim()));
        }
        if (refs.size() > 1) {
            p.invalid(refs.get(1).field(), "sales.validation.oneMemberReference");
            return null;
        }
        return refs.isEmpty() ? null : refs.get(0);
    }

    private static int errorsMark(TicketProblems p) {
        return p.count();
    }

    static ZoneId zone(OrganizationCodes.StoreRef store) {
        if (store != null && store.timeZone() != null) {
            try {
                return ZoneId.of(store.timeZone());
            } catch (RuntimeException e) {
                // fall through to the chain default
            }
        }
        return ZoneId.of("Asia/Shanghai");
    }

    static String trimToNull(String s) {
        if (s == null) {
            return null;
        }
        String t = s.strip();
        return t.isEmpty() ? null : t;
    }

    private static boolean printable(String s) {
        return s.codePoints().allMatch(cp -> cp >= 0x20 && cp != 0x7f);
    }

    /** SHA-256 over the canonical form of the request as sent (codes upper-cased, numbers normalised). */
    static String fingerprint(SaleCommand c, String storeCode) {
        StringBuilder b = new StringBuilder(256);
        b.append("SALE|")
                .append(storeCode)
                .append('|')
                .append(trimToNull(c.posTransactionId()))
                .append('|')
                .append(trimToNull(c.posTerminal()))
                .append('|')
                .append(c.businessDate())
                .append('|')
                .append(c.occurredAt() == null ? null : c.occurredAt().toInstant())
                .append('|')
                .append(trimToNull(c.cashier()))
                .append('|')
                .append(c.memberId())
                .append('|')
                .append(trimToNull(c.cardNumber()))
                .append('|')
                .append(trimToNull(c.phone()))
                .append('|')
                .append(trimToNull(c.system()))
                .append('|')
                .append(trimToNull(c.externalId()))
                .append('|')
                .append(c.totalFen());
        for (SaleCommand.Line l : c.lines()) {
            b.append("|L:")
                    .append(trimToNull(l.sku()))
                    .append(',')
                    .append(trimToNull(l.name()))
                    .append(',')
                    .append(Codes.normalize(trimToNull(l.brandCode())))
                    .append(',')
                    .append(Codes.normalize(trimToNull(l.categoryCode())))
                    .append(',')
                    .append(Codes.normalize(trimToNull(l.counterCode())))
                    .append(',')
                    .append(l.quantity().stripTrailingZeros().toPlainString())
                    .append(',')
                    .append(l.unitPriceFen())
                    .append(',')
                    .append(l.discountFen() == null ? 0 : l.discountFen());
        }
        for (SaleCommand.Payment pay : c.payments()) {
            b.append("|P:")
                    .append(pay.method())
                    .append(',')
                    .append(pay.amountFen())
                    .append(',')
                    .append(trimToNull(pay.reference()));
        }
        return sha256(b.toString());
    }

    static String sha256(String s) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Used by returns, whose lines are checked against the original sale. */
    static PatronException unprocessable(String field, String key, Object... args) {
        return TicketProblems.unprocessable1(field, key, args);
    }
}
