package dev.patron.sales;

import de.siegmar.fastcsv.reader.CsvReader;
import de.siegmar.fastcsv.reader.CsvRecord;
import dev.patron.audit.AuditLog;
import dev.patron.organization.Codes;
import dev.patron.organization.OrganizationCodes;
import dev.patron.shared.security.CurrentStaff;
import dev.patron.shared.security.Role;
import dev.patron.shared.web.PatronException;
import dev.patron.shared.web.PatronException.FieldError;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.http.HttpStatus;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Daily store traffic (footfall), so that conversion (tickets / visitors) can be computed: entered
 * per store-day (ADMIN, or a STORE_MANAGER for the stores in scope) or imported from a CSV
 * ({@code store_code,business_date,visitors}). A store-day is written again when entered or
 * imported again (last write wins). Bad input is 400 naming the field: an unknown store, a date in
 * the future (in the store's time zone), a negative or missing visitor count.
 */
@Service
public class TrafficManagement {

    /** Most rows accepted by one import. */
    public static final int MAX_IMPORT_ROWS = 200_000;

    /** Longest period listed at once. */
    public static final int MAX_DAYS = 400;

    private static final Role[] WRITERS = {Role.ADMIN, Role.STORE_MANAGER};

    private final JdbcClient jdbc;
    private final ReferenceCache cache;
    private final AuditLog audit;

    TrafficManagement(JdbcClient jdbc, ReferenceCache cache, AuditLog audit) {
        this.jdbc = jdbc;
        this.cache = cache;
        this.audit = audit;
    }

    /** Enters (or corrects) one store-day. */
    @Transactional
    public TrafficDay enter(String storeCode, LocalDate businessDate, Integer visitors) {
        CurrentStaff.requireAnyRole(WRITERS);
        List<FieldError> errors = new ArrayList<>();
        OrganizationCodes.StoreRef store = store(storeCode, "storeCode", errors);
        check(store, businessDate, "businessDate", visitors, "visitors", errors);
        if (!errors.isEmpty()) {
            throw invalid(errors);
        }
        CurrentStaff.requireStore(store.id());
        TrafficDay day = upsert(
                        new Long[] {store.id()},
                        new String[] {businessDate.toString()},
                        new Integer[] {visitors},
                        "ENTERED")
                .get(0);
        audit.record(
                "store.trafficEntered",
                "store",
                store.code(),
                Map.of("businessDate", businessDate.toString(), "visitors", visitors));
        return day;
    }

    /**
     * Imports a CSV with the columns {@code store_code}, {@code business_date} and {@code visitors}
     * (header row first; UTF-8). Every row is checked first: any bad row is a 400 naming each bad
     * row and column ({@code rows[<row>].<column>}, the header being row 1), and nothing is written.
     */
    @Transactional
    public TrafficImportResult importCsv(InputStream content) {
        CurrentStaff.requireAnyRole(WRITERS);
        List<FieldError> errors = new ArrayList<>();
        List<Long> stores = new ArrayList<>();
        List<String> dates = new ArrayList<>();
        List<Integer> visitors = new ArrayList<>();
        Map<String, Long> seen = new LinkedHashMap<>();
        try (CsvReader<CsvRecord> csv = CsvReader.builder()
                .allowMissingFields(true)
                .allowExtraFields(true)
                .skipEmptyLines(true)
                .ofCsvRecord(new InputStreamReader(content, StandardCharsets.UTF_8))) {
            int[] col = null;
            for (CsvRecord r : csv) {
                if (col == null) {
                    col = columns(r.getFields());
                    continue;
                }
                long row = r.getStartingLineNumber();
                if (stores.size() >= MAX_IMPORT_ROWS) {
                    throw PatronException.invalid("file", "sales.traffic.tooManyRows", MAX_IMPORT_ROWS);
                }
                String prefix = "rows[" + row + "].";
                int before = errors.size();
                OrganizationCodes.StoreRef store = store(cell(r, col[0]), prefix + "store_code", errors);
                LocalDate date = null;
                String dateText = cell(r, col[1]);
                if (dateText == null) {
                    errors.add(new FieldError(prefix + "business_date", "validation.required"));
                } else {
                    try {
                        date = LocalDate.parse(dateText);
                    } catch (DateTimeParseException e) {
                        errors.add(new FieldError(prefix + "business_date", "sales.import.date"));
                    }
                }
                Integer count = null;
                String countText = cell(r, col[2]);
                if (countText == null) {
                    errors.add(new FieldError(prefix + "visitors", "validation.required"));
                } else {
                    try {
                        count = Integer.valueOf(countText);
                        if (count < 0) {
                            errors.add(new FieldError(prefix + "visitors", "sales.traffic.visitorsNegative"));
                        }
                    } catch (NumberFormatException e) {
                        errors.add(new FieldError(prefix + "visitors", "sales.traffic.visitorsNumber"));
                    }
                }
                if (date != null) {
                    checkDate(store, date, prefix + "business_date", errors);
                }
                if (store != null && !CurrentStaff.scope().allows(store.id())) {
                    errors.add(new FieldError(prefix + "store_code", "error.store.outOfScope"));
                }
                if (errors.size() == before) {
                    Long earlier = seen.putIfAbsent(store.id() + "|" + date, row);
                    if (earlier != null) {
                        errors.add(new FieldError(prefix + "business_date", "sales.traffic.twice", earlier));
                        continue;
                    }
                    stores.add(store.id());
                    dates.add(date.toString());
                    visitors.add(count);
                }
            }
            if (col == null) {
                throw PatronException.invalid("file", "sales.import.empty");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (!errors.isEmpty()) {
            throw invalid(errors.size() > 100 ? errors.subList(0, 100) : errors);
        }
        if (stores.isEmpty()) {
            throw PatronException.invalid("file", "sales.import.empty");
        }
        upsert(stores.toArray(Long[]::new), dates.toArray(String[]::new), visitors.toArray(Integer[]::new), "IMPORT");
        LocalDate from =
                dates.stream().map(LocalDate::parse).min(LocalDate::compareTo).orElseThrow();
        LocalDate to =
                dates.stream().map(LocalDate::parse).max(LocalDate::compareTo).orElseThrow();
        Set<Long> distinct = new HashSet<>(stores);
        audit.record(
                "store.trafficImported",
                "storeTraffic",
                null,
                Map.of("rows", stores.size(), "stores", distinct.size(), "from", from.toString(), "to", to.toString()));
        return new TrafficImportResult(stores.size(), distinct.size(), from, to);
    }

    /**
     * Traffic of the caller's stores (or one store) from {@code from} to {@code to} (default: the
     * last 31 days up to today), newest first; at most {@link #MAX_DAYS} days.
     */
    @Transactional(readOnly = true)
    public List<TrafficDay> list(String storeCode, LocalDate from, LocalDate to) {
        LocalDate end = to == null ? LocalDate.now(SalePreparer.zone(null)) : to;
        LocalDate start = from == null ? end.minusDays(30) : from;
        if (start.isAfter(end)) {
            throw PatronException.invalid("from", "sales.traffic.fromAfterTo");
        }
        if (start.plusDays(MAX_DAYS).isBefore(end)) {
            throw PatronException.invalid("to", "sales.traffic.periodTooLong", MAX_DAYS);
        }
        Long storeId = null;
        if (storeCode != null && !storeCode.isBlank()) {
            List<FieldError> errors = new ArrayList<>();
            OrganizationCodes.StoreRef store = store(storeCode, "storeCode", errors);
            if (!errors.isEmpty()) {
                throw invalid(errors);
            }
            CurrentStaff.requireStore(store.id());
            storeId = store.id();
        }
        Long[] scope = CurrentStaff.scope().filterOrNull();
        ReferenceCache.Names names = cache.names(n -> true);
        return jdbc.sql("""
                select store_id, business_date, visitors, source, updated_at, updated_by from sales.store_traffic
                where business_date between ? and ? and (?::bigint is null or store_id = ?)
                  and (?::bigint[] is null or store_id = any(?::bigint[]))
                order by business_date desc, store_id""")
                .params(start, end, storeId, storeId, scope, scope)
                .query((rs, n) -> new TrafficDay(
                        names.stores().get(rs.getLong(1)),
                        rs.getObject(2, LocalDate.class),
                        rs.getInt(3),
                        rs.getString(4),
                        rs.getTimestamp(5).toInstant(),
                        rs.getString(6)))
                .list();
    }

    /** Codes of the open stores the caller may enter traffic for (all of them for an admin), sorted. */
    @Transactional(readOnly = true)
    public List<String> storeCodes() {
        return cache.codes().stores().values().stream()
                .filter(s -> s.active() && CurrentStaff.scope().allows(s.id()))
                .map(OrganizationCodes.StoreRef::code)
                .sorted()
                .toList();
    }

    /** Whether the caller may enter or import traffic. */
    public boolean mayWrite() {
        return CurrentStaff.get().hasAnyRole(WRITERS);
    }

    private List<TrafficDay> upsert(Long[] stores, String[] dates, Integer[] visitors, String source) {
        ReferenceCache.Names names = cache.names(n -> true);
        return jdbc.sql("""
                insert into sales.store_traffic as t (store_id, business_date, visitors, source, updated_by)
                select s, d, v, ?, ? from unnest(?::bigint[], ?::date[], ?::int[]) as u(s, d, v)
                on conflict (store_id, business_date) do update
                set visitors = excluded.visitors, source = excluded.source, updated_by = excluded.updated_by,
                    updated_at = now()
                returning store_id, business_date, visitors, source, updated_at, updated_by""")
                .params(source, CurrentStaff.get().auditName(), stores, dates, visitors)
                .query((rs, n) -> new TrafficDay(
                        names.stores().get(rs.getLong(1)),
                        rs.getObject(2, LocalDate.class),
                        rs.getInt(3),
                        rs.getString(4),
                        rs.getTimestamp(5).toInstant(),
                        rs.getString(6)))
                .list();
    }

    private OrganizationCodes.StoreRef store(String code, String field, List<FieldError> errors) {
        String c = Codes.normalize(code == null ? null : code.strip());
        if (c == null || c.isEmpty()) {
            errors.add(new FieldError(field, "validation.required"));
            return null;
        }
        OrganizationCodes.StoreRef store = cache.codes().stores().get(c);
        if (store == null) {
            store = cache.codesAfterMiss().stores().get(c);
        }
        if (store == null) {
            errors.add(new FieldError(field, "sales.validation.unknownStore", c));
        }
        return store;
    }

    private static void check(
            OrganizationCodes.StoreRef store,
            LocalDate date,
            String dateField,
            Integer visitors,
            String visitorsField,
            List<FieldError> errors) {
        if (date == null) {
            errors.add(new FieldError(dateField, "validation.required"));
        } else {
            checkDate(store, date, dateField, errors);
        }
        if (visitors == null) {
            errors.add(new FieldError(visitorsField, "validation.required"));
        } else if (visitors < 0) {
            errors.add(new FieldError(visitorsField, "sales.traffic.visitorsNegative"));
        }
    }

    private static void checkDate(
            OrganizationCodes.StoreRef store, LocalDate date, String field, List<FieldError> errors) {
        if (date.isAfter(LocalDate.now(SalePreparer.zone(store)))) {
            errors.add(new FieldError(field, "sales.validation.future"));
        } else if (date.isBefore(LocalDate.of(2000, 1, 1))) {
            errors.add(new FieldError(field, "sales.validation.tooOld"));
        }
    }

    private static int[] columns(List<String> headers) {
        int[] col = {-1, -1, -1};
        List<String> names = List.of("store_code", "business_date", "visitors");
        for (int i = 0; i < headers.size(); i++) {
            String h = SalesImportFormat.normalizeHeader(headers.get(i).replace("\uFEFF", ""));
            int c = names.indexOf(h);
            if (c >= 0 && col[c] < 0) {
                col[c] = i;
            }
        }
        List<String> missing = new ArrayList<>();
        for (int c = 0; c < 3; c++) {
            if (col[c] < 0) {
                missing.add(names.get(c));
            }
        }
        if (!missing.isEmpty()) {
            throw PatronException.invalid("file", "sales.import.missingColumns", String.join(", ", missing));
        }
        return col;
    }

    private static String cell(CsvRecord r, int index) {
        if (index >= r.getFieldCount()) {
            return null;
        }
        String v = r.getField(index).strip();
        return v.isEmpty() ? null : v;
    }

    private static PatronException invalid(List<FieldError> errors) {
        FieldError first = errors.get(0);
        return new PatronException(HttpStatus.BAD_REQUEST, errors, first.messageKey(), first.args());
    }
}
