package dev.patron.sales;

import dev.patron.organization.Codes;
import dev.patron.organization.OrganizationCodes;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The historical sales CSV (docs/POS-INTEGRATION.md, "Historical sales import"): one line item per
 * row, the columns named in the header (any order, case-insensitive). {@link #stage} checks one row
 * on its own — formats, codes, counter in the ticket's store, line arithmetic, dates not in the
 * future — exactly as {@link SalePreparer} checks a line of an API ticket, and writes it as one line
 * of PostgreSQL COPY text for the staging table; checks across rows (tickets) are set-based SQL.
 */
final class SalesImportFormat {

    static final List<String> COLUMNS = List.of(
            "store_code",
            "pos_transaction_id",
            "business_date",
            "occurred_at",
            "pos_terminal",
            "cashier",
            "member_id",
            "card_number",
            "phone",
            "kind",
            "original_store_code",
            "original_pos_transaction_id",
            "original_line_no",
            "line_no",
            "sku",
            "name",
            "brand_code",
            "category_code",
            "counter_code",
            "quantity",
            "unit_price_fen",
            "discount_fen",
            "amount_fen",
            "payment_method",
            "ticket_total_fen");

    static final List<String> REQUIRED =
            List.of("store_code", "pos_transaction_id", "business_date", "sku", "quantity", "unit_price_fen");

    /** Columns of the staging table, in the order {@link #stage} writes them. */
    static final String STAGING_COLUMNS =
            "row_no, store_code, store_id, pos_txn_id, kind, business_date, occurred_at, occurred_default, pos_terminal,"
                    + " cashier, member_kind, member_value, orig_store_id, orig_txn, orig_line_no, line_no, sku, name, brand_id,"
                    + " category_id, counter_id, quantity, unit_price_fen, discount_fen, amount_fen, gross_fen,"
                    + " payment_method, ticket_total_fen, ok";

    static final String STAGING_TABLE = """
            (row_no bigint not null, store_code text not null, store_id bigint, pos_txn_id text not null, kind text,
             business_date date, occurred_at timestamptz, occurred_default timestamptz, pos_terminal text, cashier text, member_kind text,
             member_value text, orig_store_id bigint, orig_txn text, orig_line_no int, line_no int, sku text, name text,
             brand_id bigint, category_id bigint, counter_id bigint, quantity numeric, unit_price_fen bigint,
             discount_fen bigint, amount_fen bigint, gross_fen bigint, payment_method text, ticket_total_fen bigint,
             ok boolean not null)""";

    private static final List<DateTimeFormatter> DATES = List.of(
            DateTimeFormatter.ISO_LOCAL_DATE,
            DateTimeFormatter.ofPattern("yyyy/M/d"),
            DateTimeFormatter.ofPattern("yyyyMMdd"),
            DateTimeFormatter.ofPattern("yyyy-M-d"));
    private static final DateTimeFormatter LOCAL_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd[' ']['T']HH:mm[:ss]");

    /** A problem of one row: the column, the message key and its arguments. */
    record RowError(String field, String key, Object... args) {}

    private final int[] index = new int[COLUMNS.size()];
    private final OrganizationCodes codes;
    private final Map<Long, ZoneId> zones = new HashMap<>();
    private final Map<ZoneId, LocalDate> today = new HashMap<>();
    private final OffsetDateTime latest = OffsetDateTime.now().plus(SalePreparer.MAX_CLOCK_SKEW);

    SalesImportFormat(List<String> headers, OrganizationCodes codes) {
        this.codes = codes;
        java.util.Arrays.fill(index, -1);
        for (int i = 0; i < headers.size(); i++) {
            int c = COLUMNS.indexOf(normalizeHeader(headers.get(i)));
            if (c >= 0 && index[c] < 0) {
                index[c] = i;
            }
        }
    }

    static String normalizeHeader(String h) {
        return h == null
                ? ""
                : h.strip().toLowerCase(Locale.ROOT).replace(' ', '_').replace('-', '_');
    }

    static List<String> missing(List<String> headers) {
        List<String> known =
                headers.stream().map(SalesImportFormat::normalizeHeader).toList();
        return REQUIRED.stream().filter(r -> !known.contains(r)).toList();
    }

    static List<String> ignored(List<String> headers) {
        return headers.stream()
                .filter(h -> !COLUMNS.contains(normalizeHeader(h)))
                .toList();
    }

    boolean hasLineNumbers() {
        return index[COLUMNS.indexOf("line_no")] >= 0;
    }

    private String cell(List<String> cells, String column) {
        int i = index[COLUMNS.indexOf(column)];
        if (i < 0 || i >= cells.size()) {
            return null;
        }
        String v = cells.get(i);
        if (v == null) {
            return null;
        }
        v = v.strip();
        return v.isEmpty() ? null : v;
    }

    /**
     * Checks one row and appends it to {@code out} as COPY text; its problems are added to
     * {@code errors} (the row is staged anyway, marked not ok, so that its whole ticket is refused).
     */
    void stage(long rowNo, List<String> cells, StringBuilder out, List<RowError> errors) {
        int before = errors.size();
        // the ticket
        String storeCode = Codes.normalize(cell(cells, "store_code"));
        OrganizationCodes.StoreRef store = null;
        if (storeCode == null) {
            errors.add(new RowError("store_code", "validation.required"));
        } else {
            store = codes.stores().get(storeCode);
            if (store == null) {
                errors.add(new RowError("store_code", "sales.validation.unknownStore", storeCode));
            }
        }
        String txn = cell(cells, "pos_transaction_id");
        if (txn == null) {
            errors.add(new RowError("pos_transaction_id", "validation.required"));
        } else if (txn.length() > 64 || !txn.codePoints().allMatch(cp -> cp >= 0x20 && cp != 0x7f)) {
            errors.add(new RowError("pos_transaction_id", "sales.validation.posTransactionId"));
        }
        String kindText = cell(cells, "kind");
        SaleKind kind = SaleKind.SALE;
        if (kindText != null) {
            switch (kindText.toUpperCase(Locale.ROOT)) {
                case "SALE", "S", "销售" -> kind = SaleKind.SALE;
                case "RETURN", "R", "退货" -> kind = SaleKind.RETURN;
                default -> errors.add(new RowError("kind", "sales.import.kind"));
            }
        }
        boolean isReturn = kind == SaleKind.RETURN;
        OrganizationCodes.StoreRef zoneStore = store;
        ZoneId zone = store == null
                ? SalePreparer.zone(null)
                : zones.computeIfAbsent(store.id(), id -> SalePreparer.zone(zoneStore));
        LocalDate businessDate = date(cell(cells, "business_date"), "business_date", errors);
        if (businessDate == null && cell(cells, "business_date") == null) {
            errors.add(new RowError("business_date", "validation.required"));
        } else if (businessDate != null) {
            LocalDate now = today.computeIfAbsent(zone, z -> LocalDate.now(z));
            if (businessDate.isAfter(now)) {
                errors.add(new RowError("business_date", "sales.validation.future"));
            } else if (businessDate.isBefore(LocalDate.of(2000, 1, 1))) {
                errors.add(new RowError("business_date", "sales.validation.tooOld"));
            }
        }
        OffsetDateTime occurredAt = null;
        String occurredText = cell(cells, "occurred_at");
        if (occurredText != null) {
            occurredAt = dateTime(occurredText, zone);
            if (occurredAt == null) {
                errors.add(new RowError("occurred_at", "sales.import.dateTime"));
            } else if (occurredAt.isAfter(latest)) {
                errors.add(new RowError("occurred_at", "sales.validation.future"));
            }
        }
        OffsetDateTime occurredDefault =
                businessDate == null ? null : businessDate.atStartOfDay(zone).toOffsetDateTime();
        String terminal = cell(cells, "pos_terminal");
        if (terminal != null && terminal.length() > 32) {
            errors.add(new RowError("pos_terminal", "sales.validation.tooLong", 32));
        }
        String cashier = cell(cells, "cashier");
        if (cashier != null && cashier.length() > 64) {
            errors.add(new RowError("cashier", "sales.validation.tooLong", 64));
        }
        // the member (a return's member is its original sale's)
        String memberKind = null;
        String memberValue = null;
        if (!isReturn) {
            String[][] refs = {
                {"member_id", "ID", cell(cells, "member_id")},
                {"card_number", "CARD", cell(cells, "card_number")},
                {"phone", "PHONE", cell(cells, "phone")}
            };
            for (String[] r : refs) {
                if (r[2] == null) {
                    continue;
                }
                if (memberKind != null) {
                    errors.add(new RowError(r[0], "sales.validation.oneMemberReference"));
                    continue;
                }
                if (r[1].equals("ID") && !positiveLong(r[2])) {
                    errors.add(new RowError("member_id", "sales.validation.memberId"));
                    continue;
                }
                if (r[2].length() > 64) {
                    errors.add(new RowError(r[0], "sales.validation.tooLong", 64));
                    continue;
                }
                memberKind = r[1];
                memberValue = r[2];
            }
        }
        // the original of a return
        Long origStoreId = null;
        String origTxn = null;
        Integer origLineNo = null;
        if (isReturn) {
            origTxn = cell(cells, "original_pos_transaction_id");
            if (origTxn == null) {
                errors.add(new RowError("original_pos_transaction_id", "sales.import.originalRequired"));
            } else if (origTxn.length() > 64) {
                errors.add(new RowError("original_pos_transaction_id", "sales.validation.posTransactionId"));
            }
            String origStore = Codes.normalize(cell(cells, "original_store_code"));
            if (origStore != null) {
                OrganizationCodes.StoreRef s = codes.stores().get(origStore);
                if (s == null) {
                    errors.add(new RowError("original_store_code", "sales.validation.unknownStore", origStore));
                } else {
                    origStoreId = s.id();
                }
            } else if (store != null) {
                origStoreId = store.id();
            }
            origLineNo = positiveInt(cell(cells, "original_line_no"), "original_line_no", errors);
        }
        // the line
        Integer lineNo = positiveInt(cell(cells, "line_no"), "line_no", errors);
        if (lineNo != null && lineNo > SalePreparer.MAX_LINES) {
            errors.add(new RowError("line_no", "sales.validation.tooManyLines", SalePreparer.MAX_LINES));
        }
        String sku = cell(cells, "sku");
        if (sku == null) {
            errors.add(new RowError("sku", "validation.required"));
        } else if (sku.length() > 64) {
            errors.add(new RowError("sku", "sales.validation.tooLong", 64));
        }
        String name = cell(cells, "name");
        if (name != null && name.length() > 200) {
            errors.add(new RowError("name", "sales.validation.tooLong", 200));
        }
        Long brandId = null;
        String brand = Codes.normalize(cell(cells, "brand_code"));
        if (brand != null) {
            brandId = codes.brands().get(brand);
            if (brandId == null) {
                errors.add(new RowError("brand_code", "sales.validation.unknownBrand", brand));
            }
        }
        Long categoryId = null;
        String category = Codes.normalize(cell(cells, "category_code"));
        if (category != null) {
            categoryId = codes.categories().get(category);
            if (categoryId == null) {
                errors.add(new RowError("category_code", "sales.validation.unknownCategory", category));
            }
        }
        Long counterId = null;
        String counterCode = Codes.normalize(cell(cells, "counter_code"));
        if (counterCode != null) {
            OrganizationCodes.CounterRef counter = codes.counters().get(counterCode);
            if (counter == null) {
                errors.add(new RowError("counter_code", "sales.validation.unknownCounter", counterCode));
            } else if (store != null && counter.storeId() != store.id()) {
                errors.add(new RowError("counter_code", "sales.validation.counterElsewhere", counterCode, storeCode));
            } else {
                counterId = counter.id();
            }
        }
        BigDecimal quantity = null;
        String q = cell(cells, "quantity");
        if (q == null) {
            errors.add(new RowError("quantity", "validation.required"));
        } else {
            try {
                quantity = new BigDecimal(q);
                if (isReturn ? quantity.signum() >= 0 : quantity.signum() <= 0) {
                    errors.add(new RowError(
                            "quantity",
                            isReturn ? "sales.import.returnQuantity" : "sales.validation.quantityPositive"));
                    quantity = null;
                } else if (quantity.stripTrailingZeros().scale() > 3
                        || quantity.abs().compareTo(SalePreparer.MAX_QUANTITY) >= 0) {
                    errors.add(new RowError("quantity", "sales.validation.quantityFormat"));
                    quantity = null;
                }
            } catch (NumberFormatException e) {
                errors.add(new RowError("quantity", "sales.import.number"));
            }
        }
        Long price = fen(cell(cells, "unit_price_fen"), "unit_price_fen", true, errors);
        if (price != null && (price < 0 || price > SalePreparer.MAX_FEN)) {
            errors.add(new RowError("unit_price_fen", "sales.validation.money"));
            price = null;
        }
        Long discount = fen(cell(cells, "discount_fen"), "discount_fen", false, errors);
        if (discount == null && cell(cells, "discount_fen") == null) {
            discount = 0L;
        }
        if (discount != null && (isReturn ? discount > 0 : discount < 0)
                || discount != null && Math.abs(discount) > SalePreparer.MAX_FEN) {
            errors.add(
                    new RowError("discount_fen", isReturn ? "sales.import.returnDiscount" : "sales.validation.money"));
            discount = null;
        }
        Long amount = fen(cell(cells, "amount_fen"), "amount_fen", false, errors);
        Long gross = null;
        if (quantity != null && price != null && discount != null) {
            gross = quantity.multiply(BigDecimal.valueOf(price))
                    .setScale(0, RoundingMode.HALF_UP)
                    .longValueExact();
            if (Math.abs(discount) > Math.abs(gross)) {
                errors.add(new RowError("discount_fen", "sales.validation.discountTooHigh", gross));
            } else {
                long computed = gross - discount;
                if (amount != null && amount != computed) {
                    errors.add(new RowError("amount_fen", "sales.validation.lineAmount", computed));
                }
                amount = computed;
            }
        }
        String method = cell(cells, "payment_method");
        if (method == null) {
            method = PaymentMethod.OTHER.name();
        } else {
            try {
                method = PaymentMethod.valueOf(method.toUpperCase(Locale.ROOT)).name();
            } catch (IllegalArgumentException e) {
                errors.add(new RowError("payment_method", "sales.import.paymentMethod"));
                method = null;
            }
        }
        Long ticketTotal = fen(cell(cells, "ticket_total_fen"), "ticket_total_fen", false, errors);
        boolean ok = errors.size() == before;
        // COPY text: tab-separated, \N for null
        out.append(rowNo).append('\t');
        text(out, storeCode == null ? "" : storeCode);
        value(out, store == null ? null : store.id());
        text(out, txn == null ? "#row" + rowNo : txn);
        value(out, kind.name());
        value(out, businessDate);
        value(out, occurredAt);
        value(out, occurredDefault);
        text(out, terminal);
        text(out, cashier);
        value(out, memberKind);
        text(out, memberValue);
        value(out, origStoreId);
        text(out, origTxn);
        value(out, origLineNo);
        value(out, lineNo);
        text(out, sku);
        text(out, name);
        value(out, brandId);
        value(out, categoryId);
        value(out, counterId);
        value(out, quantity == null ? null : quantity.toPlainString());
        value(out, price);
        value(out, discount);
        value(out, ok ? amount : null);
        value(out, ok ? gross : null);
        value(out, method);
        value(out, ticketTotal);
        out.append(ok ? 't' : 'f').append('\n');
    }

    private static void value(StringBuilder out, Object v) {
        if (v == null) {
            out.append("\\N");
        } else {
            out.append(v);
        }
        out.append('\t');
    }

    private static void text(StringBuilder out, String v) {
        if (v == null) {
            out.append("\\N\t");
            return;
        }
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            switch (c) {
                case '\\' -> out.append("\\\\");
                case '\t' -> out.append("\\t");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                default -> out.append(c);
            }
        }
        out.append('\t');
    }

    private static boolean positiveLong(String s) {
        try {
            return Long.parseLong(s) > 0;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private static Integer positiveInt(String s, String field, List<RowError> errors) {
        if (s == null) {
            return null;
        }
        try {
            int v = Integer.parseInt(s);
            if (v >= 1) {
                return v;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        errors.add(new RowError(field, "sales.import.lineNo"));
        return null;
    }

    private static Long fen(String s, String field, boolean required, List<RowError> errors) {
        if (s == null) {
            if (required) {
                errors.add(new RowError(field, "validation.required"));
            }
            return null;
        }
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            errors.add(new RowError(field, "sales.import.fen"));
            return null;
        }
    }

    private static LocalDate date(String value, String field, List<RowError> errors) {
        if (value == null) {
            return null;
        }
        String v = value.length() > 10 && value.charAt(4) == '-' && value.charAt(10) == ' '
                ? value.substring(0, 10)
                : value;
        for (DateTimeFormatter f : DATES) {
            try {
                return LocalDate.parse(v, f);
            } catch (DateTimeParseException e) {
                // try the next format
            }
        }
        errors.add(new RowError(field, "sales.import.date"));
        return null;
    }

    private static OffsetDateTime dateTime(String v, ZoneId zone) {
        // decide by the shape first: a failed parse costs an exception, and history has millions of rows
        int n = v.length();
        boolean offset = n > 19 && (v.charAt(n - 1) == 'Z' || v.lastIndexOf('+') > 10 || v.lastIndexOf('-') > 10);
        try {
            if (offset) {
                return OffsetDateTime.parse(v);
            }
            if ((n == 19 || n == 16) && v.charAt(10) == ' ') {
                return LocalDateTime.parse(v.substring(0, 10) + 'T' + v.substring(11))
                        .atZone(zone)
                        .toOffsetDateTime();
            }
            return LocalDateTime.parse(v, LOCAL_TIME).atZone(zone).toOffsetDateTime();
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    /** Problems as stored: numbers written {@code #123}. */
    static String[] args(Object... args) {
        List<String> out = new ArrayList<>();
        for (Object a : args) {
            out.add(a instanceof Number ? "#" + a : String.valueOf(a));
        }
        return out.toArray(String[]::new);
    }
}
