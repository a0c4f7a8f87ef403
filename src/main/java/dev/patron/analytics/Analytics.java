package dev.patron.analytics;

import dev.patron.organization.OrganizationManagement;
import dev.patron.shared.security.CurrentStaff;
import dev.patron.shared.security.Role;
import dev.patron.shared.web.PatronException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.LocalDate;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.springframework.context.MessageSource;
import org.springframework.context.i18n.LocaleContextHolder;
import org.springframework.http.HttpStatus;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * The customer dashboards (definitions in docs/analytics.md). Each method is a few set-based
 * queries over the published views {@code members.v_member}, {@code loyalty.v_member_tier} / {@code
 * v_tier}, {@code sales.v_sale} / {@code v_sale_line} and {@code organization.v_brand} / {@code
 * v_category} / {@code v_counter}; nothing is written.
 *
 * <p>Readers: ADMIN, ANALYST, MARKETER, STORE_MANAGER. Everything is limited to the caller's store
 * scope: sales by the ticket's store, members by their preferred or join store. A store asked for by
 * code must exist (400 naming {@code storeCode}) and be in the scope (403).
 */
@Service
public class Analytics {

    static final Role[] READERS = {Role.ADMIN, Role.ANALYST, Role.MARKETER, Role.STORE_MANAGER};

    /** Top brands / categories shown by name; the rest are summed as OTHER. */
    static final int TOP_SHARES = 10;

    static final List<String> AGE_BANDS = List.of("0-17", "18-24", "25-34", "35-44", "45-54", "55-64", "65+");
    static final List<String> GENDERS = List.of("FEMALE", "MALE", "UNKNOWN");
    static final List<String> CHANNELS =
            List.of("STORE_DESK", "POS", "WEBSITE", "ECOMMERCE", "IMPORT", "CALL_CENTER", "API");
    /** Upper bounds (days, included) of the interval histogram; the last bin is open. */
    static final int[] INTERVAL_BOUNDS = {7, 14, 30, 60, 90, 180, 365};
    /** Upper bounds of the frequency histogram (purchase days); the last bin is open. */
    static final int[] FREQUENCY_BOUNDS = {1, 2, 3, 4, 5, 9};

    private final JdbcClient jdbc;
    private final OrganizationManagement organization;
    private final MessageSource messages;

    Analytics(JdbcClient jdbc, OrganizationManagement organization, MessageSource messages) {
        this.jdbc = jdbc;
        this.organization = organization;
        this.messages = messages;
    }

    /** Whether the caller may read the dashboards (navigation: {@code @analytics.mayRead()}). */
    public boolean mayRead() {
        return CurrentStaff.get().hasAnyRole(READERS);
    }

    /** 403 unless the caller may read the dashboards (the index page). */
    public void requireReader() {
        CurrentStaff.requireAnyRole(READERS);
    }

    /** Store ids the query covers: the one asked for, or the caller's scope; null = every store. */
    private Long[] stores(AnalyticsQuery q) {
        CurrentStaff.requireAnyRole(READERS);
        if (q.storeCode() == null) {
            return CurrentStaff.scope().filterOrNull();
        }
        long id = organization
                .storeIdByCode(q.storeCode())
                .orElseThrow(() -> PatronException.invalid("storeCode", "analytics.unknownStore", q.storeCode()));
        if (!CurrentStaff.scope().allows(id)) {
            throw new PatronException(HttpStatus.FORBIDDEN, "error.store.outOfScope");
        }
        return new Long[] {id};
    }

    // ---------------------------------------------------------------- 1. customer structure

    @Transactional(readOnly = true)
    public CustomerStructure structure(AnalyticsQuery q, CustomerStructure.Base base, int topCities) {
        Long[] stores = stores(q);
        Map<String, Object> p = new HashMap<>();
        p.put("from", q.from());
        p.put("to", q.to());
        StringBuilder where = new StringBuilder("m.status = 'ACTIVE' and m.joined_on <= :to");
        if (stores != null) {
            p.put("stores", stores);
            where.append(" and (m.preferred_store_id = any(:stores) or m.join_store_id = any(:stores))");
        }
        if (base == CustomerStructure.Base.JOINED) {
            where.append(" and m.joined_on >= :from");
        } else if (base == CustomerStructure.Base.BUYERS) {
            where.append(" and exists (select 1 from sales.v_sale s where s.member_id = m.id and s.kind = 'SALE'"
                    + " and s.business_date between :from and :to"
                    + (stores != null ? " and s.store_id = any(:stores)" : "") + ")");
        }
        String baseTier = jdbc.sql("select code from loyalty.v_tier order by rank limit 1")
                .query(String.class)
                .optional()
                .orElse("");
        p.put("baseTier", baseTier);
        // one pass over the members, five groupings
        String sql = """
                select case when grouping(x.age) = 0 then 'age' when grouping(x.gender) = 0 then 'gender'
                            when grouping(x.city) = 0 then 'city' when grouping(x.channel) = 0 then 'channel'
                            else 'tier' end as dim,
                       coalesce(x.age, x.gender, x.city, x.channel, x.tier) as key, count(*) as n
                from (
                    select case when m.birthday is null then 'UNKNOWN'
                                else case when a < 18 then '0-17' when a < 25 then '18-24' when a < 35 then '25-34'
                                          when a < 45 then '35-44' when a < 55 then '45-54' when a < 65 then '55-64'
                                          else '65+' end end as age,
                           coalesce(m.gender, 'UNKNOWN') as gender,
                           coalesce(nullif(btrim(m.city), ''), '') as city,
                           m.join_channel as channel,
                           coalesce(mt.tier_code, :baseTier) as tier
                    from members.v_member m
                    left join loyalty.v_member_tier mt on mt.member_id = m.id
                    cross join lateral (select extract(year from age(cast(:to as date), m.birthday))::int as a) ag
                    where %s
                ) x
                group by grouping sets ((x.age), (x.gender), (x.city), (x.channel), (x.tier))
                """.formatted(where);
        Map<String, Map<String, Long>> dims = new HashMap<>();
        jdbc.sql(sql).params(p).query(rs -> {
            dims.computeIfAbsent(rs.getString(1), k -> new HashMap<>()).put(rs.getString(2), rs.getLong(3));
        });
        Map<String, Long> genders = dims.getOrDefault("gender", Map.of());
        long total = genders.values().stream().mapToLong(Long::longValue).sum();

        List<CustomerStructure.Slice> ages = new ArrayList<>();
        Map<String, Long> age = dims.getOrDefault("age", Map.of());
        for (String band : AGE_BANDS) {
            ages.add(slice(band, band, age.getOrDefault(band, 0L), total));
        }
        ages.add(slice("UNKNOWN", msg("analytics.unknown"), age.getOrDefault("UNKNOWN", 0L), total));

        List<CustomerStructure.Slice> gender = new ArrayList<>();
        for (String g : GENDERS) {
            gender.add(slice(g, msg("members.gender." + g), genders.getOrDefault(g, 0L), total));
        }

        List<CustomerStructure.Slice> cities = new ArrayList<>();
        Map<String, Long> city = new HashMap<>(dims.getOrDefault("city", Map.of()));
        Long unknownCity = city.remove("");
        List<Map.Entry<String, Long>> ranked = new ArrayList<>(city.entrySet());
        ranked.sort(Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()));
        long other = 0;
        for (int i = 0; i < ranked.size(); i++) {
            if (i < topCities) {
                cities.add(slice(
                        ranked.get(i).getKey(),
                        ranked.get(i).getKey(),
                        ranked.get(i).getValue(),
                        total));
            } else {
                other += ranked.get(i).getValue();
            }
        }
        if (other > 0) {
            cities.add(slice("OTHER", msg("analytics.other"), other, total));
        }
        if (unknownCity != null) {
            cities.add(slice("UNKNOWN", msg("analytics.unknown"), unknownCity, total));
        }

        List<CustomerStructure.Slice> channels = new ArrayList<>();
        Map<String, Long> channel = dims.getOrDefault("channel", Map.of());
        for (String c : CHANNELS) {
            channels.add(slice(c, msg("members.joinChannel." + c), channel.getOrDefault(c, 0L), total));
        }

        List<CustomerStructure.Slice> tiers = new ArrayList<>();
        Map<String, Long> tier = new HashMap<>(dims.getOrDefault("tier", Map.of()));
        boolean zh = zh();
        jdbc.sql("select code, name_zh, name_en from loyalty.v_tier order by rank")
                .query(rs -> {
                    String code = rs.getString(1);
                    String name = zh || rs.getString(3) == null ? rs.getString(2) : rs.getString(3);
                    Long n = tier.remove(code);
                    tiers.add(slice(code, name, n == null ? 0 : n, total));
                });
        tier.forEach((code, n) -> tiers.add(slice(code, code, n, total))); // a level deleted since

        return new CustomerStructure(
                q.from(), q.to(), q.storeCode(), base, total, ages, gender, cities, channels, tiers);
    }

    private static CustomerStructure.Slice slice(String key, String label, long n, long total) {
        return new CustomerStructure.Slice(key, label, n, ratio(n, total));
    }

    // ---------------------------------------------------------------- 2. new vs returning

    @Transactional(readOnly = true)
    public NewVsReturning newVsReturning(AnalyticsQuery q) {
        Long[] stores = stores(q);
        Map<String, Object> p = new HashMap<>();
        p.put("from", q.from());
        p.put("to", q.to());
        String storeFilter = "";
        if (stores != null) {
            p.put("stores", stores);
            storeFilter = " and s.store_id = any(:stores)";
        }
        String sql = """
                with t as (
                    select s.member_id, date_trunc('month', s.business_date)::date as m, s.kind, s.total_fen
                    from sales.v_sale s
                    where s.member_id is not null and s.business_date between :from and :to %s
                ), f as (
                    -- one hash aggregate over the members' sales up to the end (a first purchase after :to
                    -- cannot make anyone new within the period): 4× faster than looking up the buyers of t
                    -- one by one, whose row count the planner cannot estimate (bench/analytics-sql.sh)
                    select s.member_id, min(s.business_date) as first_date
                    from sales.v_sale s
                    where s.kind = 'SALE' and s.member_id is not null and s.business_date <= :to
                    group by s.member_id
                ), per as (
                    select t.m, t.member_id,
                           coalesce(date_trunc('month', f.first_date)::date = t.m, false) as is_new,
                           count(*) filter (where t.kind = 'SALE') as tickets, sum(t.total_fen) as net
                    from t left join f on f.member_id = t.member_id
                    group by t.m, t.member_id, f.first_date
                )
                select m, is_new, count(*) filter (where tickets > 0), sum(tickets), sum(net)
                from per group by m, is_new
                """.formatted(storeFilter);
        Map<YearMonth, long[]> byMonth = new TreeMap<>();
        for (YearMonth m = YearMonth.from(q.from()); !m.isAfter(YearMonth.from(q.to())); m = m.plusMonths(1)) {
            byMonth.put(m, new long[6]);
        }
        jdbc.sql(sql).params(p).query(rs -> {
            long[] a = byMonth.get(YearMonth.from(rs.getObject(1, LocalDate.class)));
            int o = rs.getBoolean(2) ? 0 : 1;
            a[o] = rs.getLong(3);
            a[2 + o] = rs.getLong(4);
            a[4 + o] = rs.getLong(5);
        });
        List<NewVsReturning.Month> months = new ArrayList<>();
        long[] t = new long[6];
        byMonth.forEach((m, a) -> {
            months.add(new NewVsReturning.Month(m, a[0], a[1], a[2], a[3], a[4], a[5]));
            for (int i = 0; i < 6; i++) {
                t[i] += a[i];
            }
        });
        return new NewVsReturning(
                q.from(),
                q.to(),
                q.storeCode(),
                months,
                new NewVsReturning.Month(null, t[0], t[1], t[2], t[3], t[4], t[5]));
    }

    // ---------------------------------------------------------------- 3. purchase behaviour

    @Transactional(readOnly = true)
    public PurchaseBehaviour behaviour(AnalyticsQuery q, int windowDays) {
        Long[] stores = stores(q);
        Map<String, Object> p = new HashMap<>();
        p.put("from", q.from());
        p.put("to", q.to());
        p.put("window", windowDays);
        String saleStores = "";
        String lineStores = "";
        if (stores != null) {
            p.put("stores", stores);
            saleStores = " and s.store_id = any(:stores)";
            lineStores = " and l.store_id = any(:stores)";
        }
        String days = """
                select distinct s.member_id, s.business_date as day from sales.v_sale s
                where s.kind = 'SALE' and s.member_id is not null and s.business_date between :from and :to""" + saleStores;

        // frequency: purchase days per member
        Map<Integer, Long> perMember = new TreeMap<>();
        jdbc.sql("select n, count(*) from (select member_id, count(*) as n from (" + days
                        + ") d group by member_id) x group by n")
                .params(p)
                .query(rs -> {
                    perMember.put(rs.getInt(1), rs.getLong(2));
                });
        long buyers = perMember.values().stream().mapToLong(Long::longValue).sum();
        long repeat = perMember.entrySet().stream()
                .filter(e -> e.getKey() >= 2)
                .mapToLong(Map.Entry::getValue)
                .sum();
        List<PurchaseBehaviour.Bin> frequency = bins(perMember, FREQUENCY_BOUNDS);

        // intervals between consecutive purchase days of a member
        Map<Integer, Long> gaps = new TreeMap<>();
        jdbc.sql("select gap, count(*) from (select day - lag(day) over (partition by member_id order by day) as gap"
                        + " from (" + days + ") d) g where gap is not null group by gap")
                .params(p)
                .query(rs -> {
                    gaps.put(rs.getInt(1), rs.getLong(2));
                });
        long intervals = gaps.values().stream().mapToLong(Long::longValue).sum();
        BigDecimal mean = null;
        Integer median = null;
        if (intervals > 0) {
            long sum = 0;
            for (var e : gaps.entrySet()) {
                sum += e.getKey() * e.getValue();
            }
            mean = BigDecimal.valueOf(sum).divide(BigDecimal.valueOf(intervals), 2, RoundingMode.HALF_UP);
            long seen = 0;
            long half = (intervals + 1) / 2; // the lower median: the ⌈n/2⌉-th smallest
            for (var e : gaps.entrySet()) {
                seen += e.getValue();
                if (seen >= half) {
                    median = e.getKey();
                    break;
                }
            }
        }
        List<PurchaseBehaviour.Bin> intervalBins = bins(gaps, INTERVAL_BOUNDS);

        // tickets and net sales of member tickets
        long[] ticket = jdbc.sql("select count(*) filter (where s.kind = 'SALE'), coalesce(sum(s.total_fen), 0)"
                        + " from sales.v_sale s where s.member_id is not null and s.business_date between :from and :to"
                        + saleStores)
                .params(p)
                .query((rs, n) -> new long[] {rs.getLong(1), rs.getLong(2)})
                .single();
        Long average = ticket[0] == 0
                ? null
                : BigDecimal.valueOf(ticket[1])
                        .divide(BigDecimal.valueOf(ticket[0]), 0, RoundingMode.HALF_UP)
                        .longValue();

        // brand and category shares of member net sales
        String lines = " from sales.v_sale_line l join sales.v_sale s on s.id = l.sale_id"
                + " where s.member_id is not null and l.business_date between :from and :to" + lineStores;
        List<PurchaseBehaviour.Share> brands = shares(
                "select l.brand_id, sum(l.amount_fen)" + lines + " group by l.brand_id",
                "select id, code, name, name_en from organization.v_brand where id = any(:ids)",
                p);
        List<PurchaseBehaviour.Share> categories = shares(
                "select l.category_id, sum(l.amount_fen)" + lines + " group by l.category_id",
                "select id, code, name, null from organization.v_category where id = any(:ids)",
                p);

        // return to counter (回柜): (member, counter) pairs with a first purchase day d0 in the period;
        // a pair returns when the member bought at that counter again in (d0, d0 + window]
        String counterSql = """
                with cd as (
                    select distinct s.member_id, l.counter_id, l.business_date as day
                    from sales.v_sale_line l join sales.v_sale s on s.id = l.sale_id
                    where s.kind = 'SALE' and s.member_id is not null and l.counter_id is not null
                      and l.business_date between :from and cast(:to as date) + :window %s
                ), r as (
                    select counter_id, day, lead(day) over w as next_day, row_number() over w as rn
                    from cd window w as (partition by member_id, counter_id order by day)
                )
                select counter_id, count(*), count(*) filter (where next_day <= day + :window)
                from r where rn = 1 and day <= :to group by counter_id
                """.formatted(lineStores);
        Map<Long, long[]> perCounter = new LinkedHashMap<>();
        jdbc.sql(counterSql).params(p).query(rs -> {
            perCounter.put(rs.getLong(1), new long[] {rs.getLong(2), rs.getLong(3)});
        });
        Map<Long, String[]> counterNames = new HashMap<>();
        if (!perCounter.isEmpty()) {
            jdbc.sql("select id, code, name, store_code from organization.v_counter where id = any(:ids)")
                    .param("ids", perCounter.keySet().toArray(Long[]::new))
                    .query(rs -> {
                        counterNames.put(
                                rs.getLong(1), new String[] {rs.getString(2), rs.getString(3), rs.getString(4)});
                    });
        }
        List<PurchaseBehaviour.CounterReturn> counters = new ArrayList<>();
        long pairBuyers = 0;
        long pairReturners = 0;
        for (var e : perCounter.entrySet()) {
            String[] n = counterNames.getOrDefault(e.getKey(), new String[] {"#" + e.getKey(), null, null});
            long[] v = e.getValue();
            pairBuyers += v[0];
            pairReturners += v[1];
            counters.add(
                    new PurchaseBehaviour.CounterReturn(e.getKey(), n[0], n[1], n[2], v[0], v[1], ratio(v[1], v[0])));
        }
        counters.sort(Comparator.comparingLong(PurchaseBehaviour.CounterReturn::buyers)
                .reversed()
                .thenComparing(PurchaseBehaviour.CounterReturn::code));

        return new PurchaseBehaviour(
                q.from(),
                q.to(),
                q.storeCode(),
                windowDays,
                buyers,
                repeat,
                ratio(repeat, buyers),
                ticket[0],
                ticket[1],
                average,
                intervals,
                mean,
                median,
                intervalBins,
                frequency,
                brands,
                categories,
                pairBuyers,
                pairReturners,
                ratio(pairReturners, pairBuyers),
                counters);
    }

    /** Counts per exact value into bins "1-7", "8-14", …, "366+" (bounds included in their bin). */
    static List<PurchaseBehaviour.Bin> bins(Map<Integer, Long> counts, int[] bounds) {
        long[] bin = new long[bounds.length + 1];
        counts.forEach((v, n) -> {
            int i = 0;
            while (i < bounds.length && v > bounds[i]) {
                i++;
            }
            bin[i] += n;
        });
        List<PurchaseBehaviour.Bin> out = new ArrayList<>();
        int low = 1;
        for (int i = 0; i < bounds.length; i++) {
            out.add(new PurchaseBehaviour.Bin(low == bounds[i] ? "" + low : low + "-" + bounds[i], bin[i]));
            low = bounds[i] + 1;
        }
        out.add(new PurchaseBehaviour.Bin(low + "+", bin[bounds.length]));
        return out;
    }

    /** The top {@link #TOP_SHARES} by net sales, then OTHER (the rest) and NONE (lines without one). */
    private List<PurchaseBehaviour.Share> shares(String sumSql, String namesSql, Map<String, Object> p) {
        Map<Long, Long> sums = new HashMap<>();
        long[] none = {0};
        boolean[] hasNone = {false};
        jdbc.sql(sumSql).params(p).query(rs -> {
            long id = rs.getLong(1);
            if (rs.wasNull()) {
                none[0] = rs.getLong(2);
                hasNone[0] = true;
            } else {
                sums.put(id, rs.getLong(2));
            }
        });
        long total = none[0] + sums.values().stream().mapToLong(Long::longValue).sum();
        List<Map.Entry<Long, Long>> ranked = new ArrayList<>(sums.entrySet());
        ranked.sort(Map.Entry.<Long, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()));
        List<Long> top =
                ranked.stream().limit(TOP_SHARES).map(Map.Entry::getKey).toList();
        Map<Long, String[]> names = new HashMap<>();
        if (!top.isEmpty()) {
            boolean zh = zh();
            jdbc.sql(namesSql).param("ids", top.toArray(Long[]::new)).query(rs -> {
                String name = zh || rs.getString(4) == null ? rs.getString(3) : rs.getString(4);
                names.put(rs.getLong(1), new String[] {rs.getString(2), name});
            });
        }
        List<PurchaseBehaviour.Share> out = new ArrayList<>();
        long other = 0;
        for (int i = 0; i < ranked.size(); i++) {
            var e = ranked.get(i);
            if (i < TOP_SHARES) {
                String[] n = names.getOrDefault(e.getKey(), new String[] {"#" + e.getKey(), "#" + e.getKey()});
                out.add(new PurchaseBehaviour.Share(n[0], n[1], e.getValue(), ratio(e.getValue(), total)));
            } else {
                other += e.getValue();
            }
        }
        if (ranked.size() > TOP_SHARES) {
            out.add(new PurchaseBehaviour.Share("OTHER", msg("analytics.other"), other, ratio(other, total)));
        }
        if (hasNone[0]) {
            out.add(new PurchaseBehaviour.Share("NONE", msg("analytics.none"), none[0], ratio(none[0], total)));
        }
        return out;
    }

    // ---------------------------------------------------------------- 4. cohorts

    /**
     * Cohorts of the join months from {@code from}'s month to {@code to}'s month (whole months), of
     * active members whose preferred or join store is in the filter; a member counts in month M+k
     * when they have a SALE ticket at a store of the filter in that month, observed up to the end
     * of {@code to}'s month.
     */
    @Transactional(readOnly = true)
    public CohortRetention cohorts(AnalyticsQuery q) {
        Long[] stores = stores(q);
        YearMonth first = YearMonth.from(q.from());
        YearMonth last = YearMonth.from(q.to());
        Map<String, Object> p = new HashMap<>();
        p.put("first", first.atDay(1));
        p.put("end", last.plusMonths(1).atDay(1));
        String memberStores = "";
        String saleStores = "";
        if (stores != null) {
            p.put("stores", stores);
            memberStores = " and (m.preferred_store_id = any(:stores) or m.join_store_id = any(:stores))";
            saleStores = " and s.store_id = any(:stores)";
        }
        String cohort = "select m.id, date_trunc('month', m.joined_on)::date as cm from members.v_member m"
                + " where m.status = 'ACTIVE' and m.joined_on >= :first and m.joined_on < :end" + memberStores;
        Map<YearMonth, Long> sizes = new TreeMap<>();
        for (YearMonth m = first; !m.isAfter(last); m = m.plusMonths(1)) {
            sizes.put(m, 0L);
        }
        jdbc.sql("select cm, count(*) from (" + cohort + ") c group by cm")
                .params(p)
                .query(rs -> {
                    sizes.put(YearMonth.from(rs.getObject(1, LocalDate.class)), rs.getLong(2));
                });
        Map<YearMonth, long[]> active = new HashMap<>();
        String sql = """
                with c as (%s)
                select cm, k, count(distinct id) from (
                    select c.id, c.cm,
                           ((extract(year from s.business_date) - extract(year from c.cm)) * 12
                             + extract(month from s.business_date) - extract(month from c.cm))::int as k
                    from c join sales.v_sale s on s.member_id = c.id
                    where s.kind = 'SALE' and s.business_date >= c.cm
                      and s.business_date < c.cm + interval '%d months' and s.business_date < :end %s
                ) a group by cm, k
                """.formatted(cohort, CohortRetention.MONTHS, saleStores);
        jdbc.sql(sql).params(p).query(rs -> {
            active.computeIfAbsent(
                                    YearMonth.from(rs.getObject(1, LocalDate.class)),
                                    k -> new long[CohortRetention.MONTHS])[rs.getInt(2)] =
                    rs.getLong(3);
        });
        List<CohortRetention.Cohort> cohorts = new ArrayList<>();
        sizes.forEach((m, size) -> {
            long[] a = active.getOrDefault(m, new long[CohortRetention.MONTHS]);
            List<Long> buyers = new ArrayList<>();
            List<BigDecimal> shares = new ArrayList<>();
            for (int k = 0; k < CohortRetention.MONTHS; k++) {
                boolean observed = !m.plusMonths(k).isAfter(last);
                buyers.add(observed ? a[k] : null);
                shares.add(observed ? ratio(a[k], size) : null);
            }
            cohorts.add(new CohortRetention.Cohort(m, size, buyers, shares));
        });
        return new CohortRetention(q.from(), q.to(), q.storeCode(), last, cohorts);
    }

    // ---------------------------------------------------------------- helpers

    /** n ÷ total with 4 decimals (half up); null when total is 0. */
    static BigDecimal ratio(long n, long total) {
        return total == 0 ? null : BigDecimal.valueOf(n).divide(BigDecimal.valueOf(total), 4, RoundingMode.HALF_UP);
    }

    private static boolean zh() {
        return LocaleContextHolder.getLocale().getLanguage().equals(Locale.CHINESE.getLanguage());
    }

    private String msg(String key, Object... args) {
        return messages.getMessage(key, args, key, LocaleContextHolder.getLocale());
    }
}
