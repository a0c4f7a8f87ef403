package dev.patron.organization;

import dev.patron.audit.AuditLog;
import dev.patron.shared.security.CurrentStaff;
import dev.patron.shared.security.Role;
import dev.patron.shared.security.StoreScope;
import dev.patron.shared.web.PageQuery;
import dev.patron.shared.web.PageResult;
import dev.patron.shared.web.PatronException;
import dev.patron.shared.web.SqlFilter;
import dev.patron.shared.web.SqlPage;
import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * The organisation module's API: read and change regions, stores, counters, brands and categories.
 *
 * <p>Rules: codes are unique per kind (409 on a duplicate); referenced codes must exist (404 naming
 * the field); stores and counters are filtered by the caller's store scope and changing one outside
 * it is 403. Only ADMIN (with all stores) changes regions, stores, brands and categories; ADMIN and
 * STORE_MANAGER change counters of their stores. Every change is audited in the same transaction.
 */
@Service
public class OrganizationManagement {

    private static final Map<String, String> STORE_SORT = Map.of(
            "code",
            "s.code",
            "name",
            "s.name",
            "region",
            "r.code",
            "city",
            "s.city",
            "status",
            "s.status",
            "counters",
            "counter_count");
    private static final Map<String, String> COUNTER_SORT = Map.of(
            "code",
            "c.code",
            "name",
            "c.name",
            "store",
            "s.code",
            "supplier",
            "c.supplier_name",
            "floor",
            "c.floor",
            "status",
            "c.status");
    private static final Map<String, String> BRAND_SORT = Map.of(
            "code", "b.code", "name", "b.name", "nameEn", "b.name_en", "category", "cat.code", "status", "b.status");
    private static final Map<String, String> REGION_SORT =
            Map.of("code", "r.code", "name", "r.name", "stores", "store_count");
    static final int MAX_CATEGORY_DEPTH = 5;

    private final JdbcClient jdbc;
    private final AuditLog audit;

    OrganizationManagement(JdbcClient jdbc, AuditLog audit) {
        this.jdbc = jdbc;
        this.audit = audit;
    }

    // ---------------------------------------------------------------- counts

    @Transactional(readOnly = true)
    public OrganizationCounts counts() {
        StoreScope scope = CurrentStaff.scope();
        Long[] ids = scope.filterOrNull();
        long stores = ids == null
                ? count("select count(*) from organization.store")
                : jdbc.sql("select count(*) from organization.store where id = any(?)")
                        .param(ids)
                        .query(Long.class)
                        .single();
        long counters = ids == null
                ? count("select count(*) from organization.counter")
                : jdbc.sql("select count(*) from organization.counter where store_id = any(?)")
                        .param(ids)
                        .query(Long.class)
                        .single();
        return new OrganizationCounts(
                count("select count(*) from organization.region"),
                stores,
                counters,
                count("select count(*) from organization.brand"),
                count("select count(*) from organization.category"));
    }

    /** Counters per store for the caller's scope, largest first (home page chart). */
    @Transactional(readOnly = true)
    public List<Map.Entry<String, Long>> countersPerStore(int limit) {
        SqlFilter f = new SqlFilter().addIf(CurrentStaff.scope().filterOrNull(), "s.id = any(:ids)", "ids");
        return jdbc.sql(
                        "select s.name, count(c.id) from organization.store s left join organization.counter c on c.store_id = s.id"
                                + f.where() + " group by s.id, s.name order by count(c.id) desc, s.name limit :limit")
                .params(f.params())
                .param("limit", limit)
                .query((rs, n) -> Map.entry(rs.getString(1), rs.getLong(2)))
                .list();
    }

    private long count(String sql) {
        return jdbc.sql(sql).query(Long.class).single();
    }

    // ---------------------------------------------------------------- head office

    @Transactional(readOnly = true)
    public HeadOffice headOffice() {
        return jdbc.sql("select code, name, legal_name, time_zone, currency from organization.head_office where id = 1")
                .query((rs, n) -> new HeadOffice(
                        rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5)))
                .single();
    }

    @Transactional
    public HeadOffice updateHeadOffice(HeadOfficeCommand cmd) {
        requireHeadOfficeAdmin();
        String zone = zone(cmd.timeZone());
        jdbc.sql(
                        "update organization.head_office set code = ?, name = ?, legal_name = ?, time_zone = ?, updated_at = now() where id = 1")
                .params(Codes.normalize(cmd.code()), cmd.name().trim(), trim(cmd.legalName()), zone)
                .update();
        audit.record(
                "headOffice.updated",
                "headOffice",
                Codes.normalize(cmd.code()),
                Map.of("name", cmd.name().trim(), "timeZone", zone));
        return headOffice();
    }

    // ---------------------------------------------------------------- regions

    @Transactional(readOnly = true)
    public PageResult<Region> regions(PageQuery page) {
        SqlFilter f = new SqlFilter().addIf(page.likePattern(), "(r.code ilike :q or r.name ilike :q)", "q");
        String order = page.orderBy(REGION_SORT, "code");
        return SqlPage.query(
                jdbc,
                "select count(*) from organization.region r" + f.where(),
                "select r.id, r.code, r.name, (select count(*) from organization.store s where s.region_id = r.id) as store_count"
                        + " from organization.region r" + f.where() + " order by " + order,
                f.params(),
                page,
                (rs, n) -> new Region(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getInt(4)));
    }

    @Transactional(readOnly = true)
    public List<Region> allRegions() {
        // every region (the store form's choice): a page of PageQuery.MAX_SIZE left the later codes
        // out once a chain had more regions than that
        return jdbc.sql(
                        "select r.id, r.code, r.name, (select count(*) from organization.store s where s.region_id = r.id)"
                                + " from organization.region r order by r.code")
                .query((rs, n) -> new Region(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getInt(4)))
                .list();
    }

    @Transactional(readOnly = true)
    public Optional<Region> region(String code) {
        return jdbc.sql(
                        "select r.id, r.code, r.name, (select count(*) from organization.store s where s.region_id = r.id) from organization.region r where r.code = ?")
                .param(Codes.normalize(code))
                .query((rs, n) -> new Region(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getInt(4)))
                .optional();
    }

    @Transactional
    public Region createRegion(RegionCommand cmd) {
        requireHeadOfficeAdmin();
        String code = Codes.normalize(cmd.code());
        requireUnique("region", code);
        insertOrConflict(() -> jdbc.sql("insert into organization.region(code, name) values (?, ?)")
                .params(code, cmd.name().trim())
                .update());
        audit.record("region.created", "region", code, Map.of("name", cmd.name().trim()));
        return region(code).orElseThrow();
    }

    @Transactional
    public Region updateRegion(String existingCode, RegionCommand cmd) {
        requireHeadOfficeAdmin();
        Region current =
                region(existingCode).orElseThrow(() -> PatronException.notFound("error.region.notFound", existingCode));
        String code = Codes.normalize(cmd.code());
        if (!code.equals(current.code())) {
            requireUnique("region", code);
        }
        insertOrConflict(
                () -> jdbc.sql("update organization.region set code = ?, name = ?, updated_at = now() where id = ?")
                        .params(code, cmd.name().trim(), current.id())
                        .update());
        audit.record(
                "region.updated", "region", code, Map.of("name", cmd.name().trim(), "previousCode", current.code()));
        return region(code).orElseThrow();
    }

    // ---------------------------------------------------------------- stores

    private static final String STORE_SELECT = """
            select s.id, s.code, s.name, r.code as region_code, r.name as region_name, s.legal_entity, s.city, s.address,
                   s.phone, s.time_zone, s.opened_on, s.status,
                   (select count(*) from organization.counter c where c.store_id = s.id) as counter_count
            from organization.store s join organization.region r on r.id = s.region_id""";

    /** Stores in the caller's scope; {@code q} matches code, name or city. */
    @Transactional(readOnly = true)
    public PageResult<Store> stores(PageQuery page, String regionCode) {
        SqlFilter f = new SqlFilter()
                .addIf(CurrentStaff.scope().filterOrNull(), "s.id = any(:ids)", "ids")
                .addIf(page.likePattern(), "(s.code ilike :q or s.name ilike :q or s.city ilike :q)", "q")
                .addIf(blankToNull(Codes.normalize(regionCode)), "r.code = :region", "region");
        String order = page.orderBy(STORE_SORT, "code");
        return SqlPage.query(
                jdbc,
                "select count(*) from organization.store s join organization.region r on r.id = s.region_id"
                        + f.where(),
                STORE_SELECT + f.where() + " order by " + order,
                f.params(),
                page,
                OrganizationManagement::store);
    }

    /** Every store in the caller's scope, by code (for pickers). */
    @Transactional(readOnly = true)
    public List<Store> allStores() {
        SqlFilter f = new SqlFilter().addIf(CurrentStaff.scope().filterOrNull(), "s.id = any(:ids)", "ids");
        return jdbc.sql(STORE_SELECT + f.where() + " order by s.code")
                .params(f.params())
                .query(OrganizationManagement::store)
                .list();
    }

    /** A store by code; 403 when it exists outside the caller's scope. */
    @Transactional(readOnly = true)
    public Optional<Store> store(String code) {
        Optional<Store> store = jdbc.sql(STORE_SELECT + " where s.code = ?")
                .param(Codes.normalize(code))
                .query(OrganizationManagement::store)
                .optional();
        store.ifPresent(s -> CurrentStaff.requireStore(s.id()));
        return store;
    }

    @Transactional(readOnly = true)
    public Optional<Store> store(long id) {
        Optional<Store> store = jdbc.sql(STORE_SELECT + " where s.id = ?")
                .param(id)
                .query(OrganizationManagement::store)
                .optional();
        store.ifPresent(s -> CurrentStaff.requireStore(s.id()));
        return store;
    }

    /** Of {@code ids}, those that are existing stores (no scope filter: used to validate assignments). */
    @Transactional(readOnly = true)
    public Set<Long> existingStoreIds(Collection<Long> ids) {
        if (ids.isEmpty()) {
            return Set.of();
        }
        return new LinkedHashSet<>(jdbc.sql("select id from organization.store where id = any(?) order by id")
                .param(ids.toArray(Long[]::new))
                .query(Long.class)
                .list());
    }

    /** Store id by code without scope check (for resolving references), empty if none. */
    @Transactional(readOnly = true)
    public Optional<Long> storeIdByCode(String code) {
        return jdbc.sql("select id from organization.store where code = ?")
                .param(Codes.normalize(code))
                .query(Long.class)
                .optional();
    }

    /**
     * Every store, counter, brand and category code with its id (four small queries), for callers
     * that resolve many references and cache the snapshot; not scope-filtered.
     */
    @Transactional(readOnly = true)
    public OrganizationCodes codes() {
        Map<String, OrganizationCodes.StoreRef> stores = new java.util.HashMap<>();
        jdbc.sql("select id, code, status, time_zone from organization.store")
                .query((rs, n) -> stores.put(
                        rs.getString(2),
                        new OrganizationCodes.StoreRef(
                                rs.getLong(1), rs.getString(2), "ACTIVE".equals(rs.getString(3)), rs.getString(4))))
                .list();
        Map<String, OrganizationCodes.CounterRef> counters = new java.util.HashMap<>();
        jdbc.sql("select id, code, store_id, status from organization.counter")
                .query((rs, n) -> counters.put(
                        rs.getString(2),
                        new OrganizationCodes.CounterRef(
                                rs.getLong(1), rs.getString(2), rs.getLong(3), "ACTIVE".equals(rs.getString(4)))))
                .list();
        Map<String, Long> brands = new java.util.HashMap<>();
        jdbc.sql("select code, id from organization.brand")
                .query((rs, n) -> brands.put(rs.getString(1), rs.getLong(2)))
                .list();
        Map<String, Long> categories = new java.util.HashMap<>();
        jdbc.sql("select code, id from organization.category")
                .query((rs, n) -> categories.put(rs.getString(1), rs.getLong(2)))
                .list();
        return new OrganizationCodes(stores, counters, brands, categories);
    }

    /**
     * A value that changes whenever a store, counter, brand or category is added or changed, so that
     * a cache of {@link #codes()} can tell cheaply whether it is stale.
     */
    @Transactional(readOnly = true)
    public String codesVersion() {
        return jdbc.sql("""
                select concat_ws('/',
                    (select count(*) || ':' || coalesce(max(updated_at)::text, '') from organization.store),
                    (select count(*) || ':' || coalesce(max(updated_at)::text, '') from organization.counter),
                    (select count(*) || ':' || coalesce(max(updated_at)::text, '') from organization.brand),
                    (select count(*) || ':' || coalesce(max(updated_at)::text, '') from organization.category))""").query(String.class).single();
    }

    /** Codes of the given store ids, in id order (for showing a scope). */
    @Transactional(readOnly = true)
    public Map<Long, String> storeCodes(Collection<Long> ids) {
        Map<Long, String> map = new LinkedHashMap<>();
        if (!ids.isEmpty()) {
            jdbc.sql("select id, code from organization.store where id = any(?) order by code")
                    .param(ids.toArray(Long[]::new))
                    .query((rs, n) -> map.put(rs.getLong(1), rs.getString(2)))
                    .list();
        }
        return map;
    }

    @Transactional
    public Store createStore(StoreCommand cmd) {
        requireHeadOfficeAdmin();
        String code = Codes.normalize(cmd.code());
        long regionId = regionId(cmd.regionCode());
        String zone = zone(cmd.timeZone());
        requireUnique("store", code);
        insertOrConflict(() -> jdbc.sql("""
                insert into organization.store(code, name, region_id, legal_entity, city, address, phone, time_zone, opened_on, status)
                values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""")
                .params(
                        code,
                        cmd.name().trim(),
                        regionId,
                        trim(cmd.legalEntity()),
                        trim(cmd.city()),
                        trim(cmd.address()),
                        trim(cmd.phone()),
                        zone,
                        cmd.openedOn(),
                        status(cmd.status(), "ACTIVE"))
                .update());
        audit.record("store.created", "store", code, storeDetails(cmd));
        return store(code).orElseThrow();
    }

    @Transactional
    public Store updateStore(String existingCode, StoreCommand cmd) {
        requireHeadOfficeAdmin();
        Store current =
                store(existingCode).orElseThrow(() -> PatronException.notFound("error.store.notFound", existingCode));
        String code = Codes.normalize(cmd.code());
        if (!code.equals(current.code())) {
            requireUnique("store", code);
        }
        long regionId = regionId(cmd.regionCode());
        String zone = zone(cmd.timeZone());
        insertOrConflict(() -> jdbc.sql("""
                update organization.store set code = ?, name = ?, region_id = ?, legal_entity = ?, city = ?, address = ?,
                       phone = ?, time_zone = ?, opened_on = ?, status = ?, updated_at = now()
                where id = ?""")
                .params(
                        code,
                        cmd.name().trim(),
                        regionId,
                        trim(cmd.legalEntity()),
                        trim(cmd.city()),
                        trim(cmd.address()),
                        trim(cmd.phone()),
                        zone,
                        cmd.openedOn(),
                        status(cmd.status(), current.status()),
                        current.id())
                .update());
        Map<String, Object> details = new LinkedHashMap<>(storeDetails(cmd));
        details.put("previousCode", current.code());
        audit.record("store.updated", "store", code, details);
        return store(code).orElseThrow();
    }

    private static Map<String, Object> storeDetails(StoreCommand cmd) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("name", cmd.name());
        d.put("region", Codes.normalize(cmd.regionCode()));
        if (cmd.status() != null) {
            d.put("status", cmd.status());
        }
        return d;
    }

    private static Store store(ResultSet rs, int n) throws SQLException {
        return new Store(
                rs.getLong("id"),
                rs.getString("code"),
                rs.getString("name"),
                rs.getString("region_code"),
                rs.getString("region_name"),
                rs.getString("legal_entity"),
                rs.getString("city"),
                rs.getString("address"),
                rs.getString("phone"),
                rs.getString("time_zone"),
                rs.getObject("opened_on", java.time.LocalDate.class),
                rs.getString("status"),
                rs.getInt("counter_count"));
    }

    // ---------------------------------------------------------------- counters

    private static final String COUNTER_SELECT = """
            select c.id, c.code, c.name, c.store_id, s.code as store_code, s.name as store_name, c.supplier_name,
                   c.supplier_code, c.floor, c.status,
                   array(select b.code from organization.counter_brand cb join organization.brand b on b.id = cb.brand_id
                         where cb.counter_id = c.id order by b.code) as brand_codes
            from organization.counter c join organization.store s on s.id = c.store_id""";

    /** Counters in the caller's scope; {@code q} matches code, name or supplier. */
    @Transactional(readOnly = true)
    public PageResult<Counter> counters(PageQuery page, String storeCode, String brandCode) {
        SqlFilter f = new SqlFilter()
                .addIf(CurrentStaff.scope().filterOrNull(), "c.store_id = any(:ids)", "ids")
                .addIf(page.likePattern(), "(c.code ilike :q or c.name ilike :q or c.supplier_name ilike :q)", "q")
                .addIf(blankToNull(Codes.normalize(storeCode)), "s.code = :store", "store")
                .addIf(
                        blankToNull(Codes.normalize(brandCode)),
                        "exists (select 1 from organization.counter_brand cb join organization.brand b on b.id = cb.brand_id where cb.counter_id = c.id and b.code = :brand)",
                        "brand");
        String order = page.orderBy(COUNTER_SORT, "code");
        return SqlPage.query(
                jdbc,
                "select count(*) from organization.counter c join organization.store s on s.id = c.store_id"
                        + f.where(),
                COUNTER_SELECT + f.where() + " order by " + order,
                f.params(),
                page,
                OrganizationManagement::counter);
    }

    @Transactional(readOnly = true)
    public Optional<Counter> counter(String code) {
        Optional<Counter> c = jdbc.sql(COUNTER_SELECT + " where c.code = ?")
                .param(Codes.normalize(code))
                .query(OrganizationManagement::counter)
                .optional();
        c.ifPresent(x -> CurrentStaff.requireStore(x.storeId()));
        return c;
    }

    @Transactional
    public Counter createCounter(CounterCommand cmd) {
        CurrentStaff.requireAnyRole(Role.ADMIN, Role.STORE_MANAGER);
        String code = Codes.normalize(cmd.code());
        long storeId = storeIdForChange(cmd.storeCode());
        List<Long> brandIds = brandIds(cmd.brandCodes());
        requireUnique("counter", code);
        insertOrConflict(() -> jdbc.sql("""
                insert into organization.counter(code, name, store_id, supplier_name, supplier_code, floor, status)
                values (?, ?, ?, ?, ?, ?, ?)""")
                .params(
                        code,
                        cmd.name().trim(),
                        storeId,
                        cmd.supplierName().trim(),
                        trim(cmd.supplierCode()),
                        trim(cmd.floor()),
                        status(cmd.status(), "ACTIVE"))
                .update());
        long id = jdbc.sql("select id from organization.counter where code = ?")
                .param(code)
                .query(Long.class)
                .single();
        setBrands(id, brandIds);
        audit.record("counter.created", "counter", code, counterDetails(cmd));
        return counter(code).orElseThrow();
    }

    @Transactional
    public Counter updateCounter(String existingCode, CounterCommand cmd) {
        CurrentStaff.requireAnyRole(Role.ADMIN, Role.STORE_MANAGER);
        Counter current = counter(existingCode)
                .orElseThrow(() -> PatronException.notFound("error.counter.notFound", existingCode));
        String code = Codes.normalize(cmd.code());
        if (!code.equals(current.code())) {
            requireUnique("counter", code);
        }
        long storeId = storeIdForChange(cmd.storeCode());
        List<Long> brandIds = brandIds(cmd.brandCodes());
        insertOrConflict(() -> jdbc.sql("""
                update organization.counter set code = ?, name = ?, store_id = ?, supplier_name = ?, supplier_code = ?,
                       floor = ?, status = ?, updated_at = now() where id = ?""")
                .params(
                        code,
                        cmd.name().trim(),
                        storeId,
                        cmd.supplierName().trim(),
                        trim(cmd.supplierCode()),
                        trim(cmd.floor()),
                        status(cmd.status(), current.status()),
                        current.id())
                .update());
        setBrands(current.id(), brandIds);
        Map<String, Object> details = new LinkedHashMap<>(counterDetails(cmd));
        details.put("previousCode", current.code());
        audit.record("counter.updated", "counter", code, details);
        return counter(code).orElseThrow();
    }

    private void setBrands(long counterId, List<Long> brandIds) {
        jdbc.sql("delete from organization.counter_brand where counter_id = ?")
                .param(counterId)
                .update();
        for (Long brandId : brandIds) {
            jdbc.sql("insert into organization.counter_brand(counter_id, brand_id) values (?, ?)")
                    .params(counterId, brandId)
                    .update();
        }
    }

    private static Map<String, Object> counterDetails(CounterCommand cmd) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("name", cmd.name());
        d.put("store", Codes.normalize(cmd.storeCode()));
        d.put("supplier", cmd.supplierName());
        d.put("brands", cmd.brandCodes() == null ? List.of() : cmd.brandCodes());
        return d;
    }

    private static Counter counter(ResultSet rs, int n) throws SQLException {
        Array brands = rs.getArray("brand_codes");
        List<String> brandCodes = brands == null ? List.of() : Arrays.asList((String[]) brands.getArray());
        return new Counter(
                rs.getLong("id"),
                rs.getString("code"),
                rs.getString("name"),
                rs.getLong("store_id"),
                rs.getString("store_code"),
                rs.getString("store_name"),
                rs.getString("supplier_name"),
                rs.getString("supplier_code"),
                rs.getString("floor"),
                rs.getString("status"),
                brandCodes);
    }

    // ---------------------------------------------------------------- brands

    private static final String BRAND_SELECT = """
            select b.id, b.code, b.name, b.name_en, cat.code as category_code, b.status
            from organization.brand b left join organization.category cat on cat.id = b.category_id""";

    @Transactional(readOnly = true)
    public PageResult<Brand> brands(PageQuery page) {
        SqlFilter f = new SqlFilter()
                .addIf(page.likePattern(), "(b.code ilike :q or b.name ilike :q or b.name_en ilike :q)", "q");
        String order = page.orderBy(BRAND_SORT, "code");
        return SqlPage.query(
                jdbc,
                "select count(*) from organization.brand b" + f.where(),
                BRAND_SELECT + f.where() + " order by " + order,
                f.params(),
                page,
                OrganizationManagement::brand);
    }

    @Transactional(readOnly = true)
    public List<Brand> allBrands() {
        return jdbc.sql(BRAND_SELECT + " order by b.code")
                .query(OrganizationManagement::brand)
                .list();
    }

    @Transactional(readOnly = true)
    public Optional<Brand> brand(String code) {
        return jdbc.sql(BRAND_SELECT + " where b.code = ?")
                .param(Codes.normalize(code))
                .query(OrganizationManagement::brand)
                .optional();
    }

    @Transactional
    public Brand createBrand(BrandCommand cmd) {
        requireHeadOfficeAdmin();
        String code = Codes.normalize(cmd.code());
        Long categoryId = optionalCategoryId("categoryCode", cmd.categoryCode());
        requireUnique("brand", code);
        insertOrConflict(() -> jdbc.sql(
                        "insert into organization.brand(code, name, name_en, category_id, status) values (?, ?, ?, ?, ?)")
                .params(code, cmd.name().trim(), trim(cmd.nameEn()), categoryId, status(cmd.status(), "ACTIVE"))
                .update());
        audit.record("brand.created", "brand", code, Map.of("name", cmd.name().trim()));
        return brand(code).orElseThrow();
    }

    @Transactional
    public Brand updateBrand(String existingCode, BrandCommand cmd) {
        requireHeadOfficeAdmin();
        Brand current =
                brand(existingCode).orElseThrow(() -> PatronException.notFound("error.brand.notFound", existingCode));
        String code = Codes.normalize(cmd.code());
        if (!code.equals(current.code())) {
            requireUnique("brand", code);
        }
        Long categoryId = optionalCategoryId("categoryCode", cmd.categoryCode());
        insertOrConflict(() -> jdbc.sql(
                        "update organization.brand set code = ?, name = ?, name_en = ?, category_id = ?, status = ?, updated_at = now() where id = ?")
                .params(
                        code,
                        cmd.name().trim(),
                        trim(cmd.nameEn()),
                        categoryId,
                        status(cmd.status(), current.status()),
                        current.id())
                .update());
        audit.record("brand.updated", "brand", code, Map.of("name", cmd.name().trim(), "previousCode", current.code()));
        return brand(code).orElseThrow();
    }

    private static Brand brand(ResultSet rs, int n) throws SQLException {
        return new Brand(
                rs.getLong("id"),
                rs.getString("code"),
                rs.getString("name"),
                rs.getString("name_en"),
                rs.getString("category_code"),
                rs.getString("status"));
    }

    // ---------------------------------------------------------------- categories

    private static final String CATEGORY_SELECT = """
            select c.id, c.code, c.name, p.code as parent_code, c.depth, c.sort_order
            from organization.category c left join organization.category p on p.id = c.parent_id""";

    /** The whole tree in display order: each parent followed by its children. */
    @Transactional(readOnly = true)
    public List<Category> categoryTree() {
        return jdbc.sql("""
                with recursive tree as (
                    select c.id, array[lpad(c.sort_order::text, 6, '0') || ' ' || c.code] as path
                    from organization.category c where c.parent_id is null
                    union all
                    select c.id, t.path || (lpad(c.sort_order::text, 6, '0') || ' ' || c.code)
                    from organization.category c join tree t on c.parent_id = t.id
                )
                select c.id, c.code, c.name, p.code as parent_code, c.depth, c.sort_order
                from tree t join organization.category c on c.id = t.id
                left join organization.category p on p.id = c.parent_id
                order by t.path""").query(OrganizationManagement::category).list();
    }

    @Transactional(readOnly = true)
    public Optional<Category> category(String code) {
        return jdbc.sql(CATEGORY_SELECT + " where c.code = ?")
                .param(Codes.normalize(code))
                .query(OrganizationManagement::category)
                .optional();
    }

    @Transactional
    public Category createCategory(CategoryCommand cmd) {
        requireHeadOfficeAdmin();
        String code = Codes.normalize(cmd.code());
        Category parent = parent(cmd.parentCode());
        requireUnique("category", code);
        insertOrConflict(() -> jdbc.sql(
                        "insert into organization.category(code, name, parent_id, depth, sort_order) values (?, ?, ?, ?, ?)")
                .params(
                        code,
                        cmd.name().trim(),
                        parent == null ? null : parent.id(),
                        parent == null ? 0 : parent.depth() + 1,
                        cmd.sortOrder() == null ? 0 : cmd.sortOrder())
                .update());
        audit.record(
                "category.created",
                "category",
                code,
                Map.of("name", cmd.name().trim(), "parent", parent == null ? "" : parent.code()));
        return category(code).orElseThrow();
    }

    @Transactional
    public Category updateCategory(String existingCode, CategoryCommand cmd) {
        requireHeadOfficeAdmin();
        Category current = category(existingCode)
                .orElseThrow(() -> PatronException.notFound("error.category.notFound", existingCode));
        String code = Codes.normalize(cmd.code());
        if (!code.equals(current.code())) {
            requireUnique("category", code);
        }
        Category parent = parent(cmd.parentCode());
        if (parent != null && isSelfOrDescendant(parent.id(), current.id())) {
            throw PatronException.invalid("parentCode", "error.category.cycle");
        }
        int depth = parent == null ? 0 : parent.depth() + 1;
        int subtreeHeight =
                jdbc.sql("""
                with recursive sub as (select id, 0 as h from organization.category where id = ?
                    union all select c.id, s.h + 1 from organization.category c join sub s on c.parent_id = s.id)
                select max(h) from sub""").param(current.id()).query(Integer.class).single();
        if (depth + subtreeHeight >= MAX_CATEGORY_DEPTH) {
            throw PatronException.invalid("parentCode", "error.category.tooDeep", MAX_CATEGORY_DEPTH);
        }
        insertOrConflict(() -> jdbc.sql(
                        "update organization.category set code = ?, name = ?, parent_id = ?, sort_order = ?, updated_at = now() where id = ?")
                .params(
                        code,
                        cmd.name().trim(),
                        parent == null ? null : parent.id(),
                        cmd.sortOrder() == null ? current.sortOrder() : cmd.sortOrder(),
                        current.id())
                .update());
        // depth of the moved subtree follows its new parent
        jdbc.sql("""
                with recursive sub as (select id, ? as d from organization.category where id = ?
                    union all select c.id, s.d + 1 from organization.category c join sub s on c.parent_id = s.id)
                update organization.category c set depth = sub.d from sub where c.id = sub.id""").params(depth, current.id()).update();
        audit.record(
                "category.updated",
                "category",
                code,
                Map.of(
                        "name",
                        cmd.name().trim(),
                        "parent",
                        parent == null ? "" : parent.code(),
                        "previousCode",
                        current.code()));
        return category(code).orElseThrow();
    }

    private boolean isSelfOrDescendant(long candidateId, long rootId) {
        return jdbc.sql("""
                with recursive sub as (select id from organization.category where id = ?
                    union all select c.id from organization.category c join sub s on c.parent_id = s.id)
                select exists (select 1 from sub where id = ?)""").params(rootId, candidateId).query(Boolean.class).single();
    }

    private Category parent(String parentCode) {
        if (parentCode == null || parentCode.isBlank()) {
            return null;
        }
        Category parent = category(parentCode)
                .orElseThrow(
                        () -> PatronException.unknownReference("parentCode", "error.category.notFound", parentCode));
        if (parent.depth() + 1 >= MAX_CATEGORY_DEPTH) {
            throw PatronException.invalid("parentCode", "error.category.tooDeep", MAX_CATEGORY_DEPTH);
        }
        return parent;
    }

    private static Category category(ResultSet rs, int n) throws SQLException {
        return new Category(
                rs.getLong("id"),
                rs.getString("code"),
                rs.getString("name"),
                rs.getString("parent_code"),
                rs.getInt("depth"),
                rs.getInt("sort_order"));
    }

    // ---------------------------------------------------------------- helpers

    private static void requireHeadOfficeAdmin() {
        CurrentStaff.requireAnyRole(Role.ADMIN);
        CurrentStaff.requireAllStores();
    }

    private void requireUnique(String kind, String code) {
        boolean exists = jdbc.sql("select exists (select 1 from organization." + kind + " where code = ?)")
                .param(code)
                .query(Boolean.class)
                .single();
        if (exists) {
            throw PatronException.conflict("code", "error.code.duplicate", code);
        }
    }

    private static void insertOrConflict(Runnable write) {
        try {
            write.run();
        } catch (DuplicateKeyException e) {
            throw PatronException.conflict("code", "error.code.duplicate", "");
        }
    }

    private long regionId(String regionCode) {
        return jdbc.sql("select id from organization.region where code = ?")
                .param(Codes.normalize(regionCode))
                .query(Long.class)
                .optional()
                .orElseThrow(() -> PatronException.unknownReference("regionCode", "error.region.notFound", regionCode));
    }

    /** The store a counter is put in must exist and be in the caller's scope. */
    private long storeIdForChange(String storeCode) {
        long id = storeIdByCode(storeCode)
                .orElseThrow(() -> PatronException.unknownReference("storeCode", "error.store.notFound", storeCode));
        CurrentStaff.requireStore(id);
        return id;
    }

    private List<Long> brandIds(List<String> codes) {
        if (codes == null || codes.isEmpty()) {
            return List.of();
        }
        List<Long> ids = new ArrayList<>();
        for (int i = 0; i < codes.size(); i++) {
            String c = codes.get(i);
            final int index = i;
            ids.add(jdbc.sql("select id from organization.brand where code = ?")
                    .param(Codes.normalize(c))
                    .query(Long.class)
                    .optional()
                    .orElseThrow(() ->
                            PatronException.unknownReference("brandCodes[" + index + "]", "error.brand.notFound", c)));
        }
        return ids.stream().distinct().toList();
    }

    private Long optionalCategoryId(String field, String code) {
        if (code == null || code.isBlank()) {
            return null;
        }
        return jdbc.sql("select id from organization.category where code = ?")
                .param(Codes.normalize(code))
                .query(Long.class)
                .optional()
                .orElseThrow(() -> PatronException.unknownReference(field, "error.category.notFound", code));
    }

    private static String zone(String zone) {
        if (zone == null || zone.isBlank()) {
            return "Asia/Shanghai";
        }
        try {
            return ZoneId.of(zone.trim()).getId();
        } catch (DateTimeException e) {
            throw PatronException.invalid("timeZone", "validation.timeZone");
        }
    }

    private static String status(String status, String fallback) {
        return status == null || status.isBlank() ? fallback : status;
    }

    private static String trim(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
