package dev.patron.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.patron.PatronApplication;
import dev.patron.TestData;
import dev.patron.TestDatabase;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.NestedExceptionUtils;
import org.springframework.jdbc.core.simple.JdbcClient;

/** {@code patron demo --seed N} on a fresh database: a realistic chain, identical for the same seed. */
class DemoCommandIntegrationTests {

    private static final String FINGERPRINT = """
            select md5(concat_ws('|',
              (select string_agg(concat_ws(',', s.code, s.name, r.code, s.city, s.address, s.phone, s.opened_on, s.legal_entity), ';' order by s.code)
                 from organization.store s join organization.region r on r.id = s.region_id),
              (select string_agg(concat_ws(',', c.code, c.name, s.code, c.supplier_name, c.supplier_code, c.floor,
                        (select string_agg(b.code, '+' order by b.code) from organization.counter_brand cb
                         join organization.brand b on b.id = cb.brand_id where cb.counter_id = c.id)), ';' order by c.code)
                 from organization.counter c join organization.store s on s.id = c.store_id),
              (select string_agg(concat_ws(',', b.code, b.name, b.name_en, k.code), ';' order by b.code)
                 from organization.brand b left join organization.category k on k.id = b.category_id),
              (select string_agg(concat_ws(',', k.code, k.name, k.depth), ';' order by k.code) from organization.category k),
              (select string_agg(concat_ws(',', a.username, a.display_name, a.all_stores,
                        (select string_agg(role, '+' order by role) from staff.account_role where account_id = a.id)), ';' order by a.username)
                 from staff.account a)))""";

    private ConfigurableApplicationContext runDemo(String name, String... options) {
        String database = name;
        var server = TestDatabase.server();
        try (var c = java.sql.DriverManager.getConnection(server.jdbcUrl(), server.user(), "");
                var s = c.createStatement()) {
            database = database + "_" + Long.toString(System.nanoTime(), 36);
            s.execute("create database " + database);
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
        String url = server.jdbcUrl().replace("/postgres", "/" + database);
        String[] args = new String[options.length + 5];
        args[0] = "demo";
        System.arraycopy(options, 0, args, 1, options.length);
        args[options.length + 1] = "--patron.db.url=" + url;
        args[options.length + 2] = "--patron.db.user=" + server.user();
        args[options.length + 3] = "--patron.security.admin-password=" + TestData.ADMIN_PASSWORD;
        args[options.length + 4] = "--staff-password=Demo-password-1";
        return PatronApplication.application(args).run(args);
    }

    @Test
    void fillsAnEmptyDatabaseWithTheSameChainForTheSameSeed() {
        String first;
        String again;
        String otherSeed;
        String firstSales;
        String againSales;
        try (var ctx = runDemo("demo_a", "--seed=7")) {
            JdbcClient jdbc = ctx.getBean(JdbcClient.class);
            assertThat(count(jdbc, "organization.store")).isEqualTo(20);
            assertThat(count(jdbc, "organization.counter")).isEqualTo(150);
            assertThat(count(jdbc, "organization.brand")).isEqualTo(80);
            assertThat(count(jdbc, "organization.region")).isEqualTo(5);
            assertThat(count(jdbc, "organization.category")).isGreaterThan(30);
            assertThat(jdbc.sql("select count(*) from organization.category where parent_id is not null")
                            .query(Long.class)
                            .single())
                    .isGreaterThan(20);
            // every counter sells at least one brand; every store has counters
            assertThat(jdbc.sql(
                                    "select count(*) from organization.counter c where not exists (select 1 from organization.counter_brand cb where cb.counter_id = c.id)")
                            .query(Long.class)
                            .single())
                    .isZero();
            assertThat(jdbc.sql(
                                    "select count(*) from organization.store s where not exists (select 1 from organization.counter c where c.store_id = s.id)")
                            .query(Long.class)
                            .single())
                    .isZero();
            // staff for each role; store roles are limited to one store
            Map<String, Long> perRole = new java.util.TreeMap<>();
            jdbc.sql("select role, count(*) from staff.account_role group by role")
                    .query((rs, n) -> perRole.put(rs.getString(1), rs.getLong(2)))
                    .list();
            assertThat(perRole.keySet())
                    .containsExactlyInAnyOrder(
                            "ADMIN", "MARKETER", "ANALYST", "STORE_MANAGER", "COUNTER_STAFF", "AGENT", "FINANCE");
            assertThat(perRole.get("STORE_MANAGER")).isEqualTo(20);
            assertThat(jdbc.sql("""
                    select count(*) from staff.account a join staff.account_role r on r.account_id = a.id
                    where r.role in ('STORE_MANAGER', 'COUNTER_STAFF') and (a.all_stores or (select count(*) from staff.account_store s where s.account_id = a.id) <> 1)""").query(Long.class).single()).isZero();
            first = jdbc.sql(FINGERPRINT).query(String.class).single();
            assertDemoSales(jdbc);
            firstSales = jdbc.sql(SALES_FINGERPRINT).query(String.class).single();
            // cross-sell rules and the churn warning list on the demo data (mines and fits here)
            DemoInsightsChecks.assertInsights(ctx);

            // the generator only fills an empty database
            assertThatThrownBy(() -> ctx.getBean(DemoGenerator.class)
                            .generate(new DemoGenerator.Settings(7, 20, 150, 80, "Demo-password-1")))
                    .hasMessageContaining("only fills an empty database");
        }
        try (var ctx = runDemo("demo_b", "--seed=7")) {
            again = ctx.getBean(JdbcClient.class)
                    .sql(FINGERPRINT)
                    .query(String.class)
                    .single();
            againSales = ctx.getBean(JdbcClient.class)
                    .sql(SALES_FINGERPRINT)
                    .query(String.class)
                    .single();
        }
        try (var ctx = runDemo("demo_c", "--seed=8", "--sales-months=0")) {
            otherSeed = ctx.getBean(JdbcClient.class)
                    .sql(FINGERPRINT)
                    .query(String.class)
                    .single();
        }
        assertThat(again).isEqualTo(first);
        assertThat(againSales).isEqualTo(firstSales);
        assertThat(otherSeed).isNotEqualTo(first);
    }

    @Test
    void rejectsUnknownOptionsAndBadNumbers() {
        assertThatThrownBy(() -> runDemo("demo_d", "--sotres=3"))
                .satisfies(e -> assertThat(NestedExceptionUtils.getMostSpecificCause(e))
                        .hasMessageContaining("Unknown demo option --sotres"));
        assertThatThrownBy(() -> runDemo("demo_e", "--seed=abc"))
                .satisfies(e -> assertThat(NestedExceptionUtils.getMostSpecificCause(e))
                        .hasMessageContaining("--seed must be a whole number"));
    }

    private static final String SALES_FINGERPRINT = """
            select md5(string_agg(concat_ws(',', s.pos_txn_id, s.kind, s.store_id, s.business_date, s.member_id, s.total_fen,
                     (select string_agg(concat_ws(':', l.sku, l.counter_id, l.brand_id, l.quantity, l.amount_fen), '+' order by l.line_no)
                      from sales.sale_line l where l.sale_id = s.id)), ';' order by s.pos_txn_id))
            from sales.sale s""";

    /** About a year of sales with the shape a chain's data has. */
    private static void assertDemoSales(JdbcClient jdbc) {
        long tickets = count(jdbc, "sales.sale");
        assertThat(tickets).isGreaterThan(3_000);
        assertThat(jdbc.sql("select count(*) from sales.sale where kind = 'RETURN'")
                        .query(Long.class)
                        .single())
                .isGreaterThan(20);
        assertThat(jdbc.sql("select count(*) from sales.sale where member_id is null")
                        .query(Long.class)
                        .single())
                .isGreaterThan(tickets / 5);
        assertThat(jdbc.sql("select max(business_date) - min(business_date) from sales.sale")
                        .query(Integer.class)
                        .single())
                .isGreaterThan(300);
        // footfall for every store-day with sales, above the tickets (conversion below 100%)
        assertThat(jdbc.sql("""
                select count(*) from (select store_id, business_date, count(*) as tickets from sales.sale
                  where kind = 'SALE' group by 1, 2) s
                left join sales.store_traffic t using (store_id, business_date)
                where t.visitors is null or t.visitors < s.tickets""").query(Long.class).single()).isZero();
        // Double-11 sells several times an average day
        Double ratio = jdbc.sql("""
                select (select count(*) from sales.sale where kind = 'SALE' and extract(month from business_date) = 11
                          and extract(day from business_date) = 11)::float
                       / (select count(*) / count(distinct business_date)::float from sales.sale where kind = 'SALE')""").query(Double.class).single();
        assertThat(ratio).isGreaterThan(2.5);
        // members favour their brands: a member's top brand holds well over a random share of their lines
        Double topShare = jdbc.sql("""
                select avg(top_share) from (
                  select s.member_id, max(cnt)::float / sum(cnt) as top_share from (
                    select s.member_id, l.brand_id, count(*) as cnt from sales.sale s
                    join sales.sale_line l on l.sale_id = s.id where s.member_id is not null and s.kind = 'SALE'
                    group by s.member_id, l.brand_id) s
                  group by s.member_id having sum(cnt) >= 10) t""").query(Double.class).single();
        assertThat(topShare).isGreaterThan(0.25);
        // members lapse: a good part of the regular buyers stopped buying in the last quarter
        Double lapsed = jdbc.sql("""
                select avg(case when last < current_date - 90 then 1.0 else 0.0 end) from (
                  select member_id, max(business_date) as last from sales.sale
                  where member_id is not null and kind = 'SALE' group by member_id
                  having count(distinct business_date) >= 4) t""").query(Double.class).single();
        assertThat(lapsed).isBetween(0.05, 0.9);
        // lines add up to tickets, payments to totals
        assertThat(jdbc.sql("""
                select count(*) from sales.sale s where total_fen <> (select sum(amount_fen) from sales.sale_line where sale_id = s.id)
                   or total_fen <> (select coalesce(sum(amount_fen), 0) from sales.sale_payment where sale_id = s.id)""").query(Long.class).single()).isZero();
    }

    private static long count(JdbcClient jdbc, String table) {
        return jdbc.sql("select count(*) from " + table).query(Long.class).single();
    }
}
