package dev.patron.members;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patron.PatronApplication;
import dev.patron.TestData;
import dev.patron.TestDatabase;
import java.time.LocalDate;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;

/** {@code demo --members N} adds members with Chinese names, phones, birthdays, 3 years of join dates and some duplicates. */
class DemoMembersIntegrationTests {

    @Test
    void theDemoCreatesRealisticMembersWithDuplicatesForTheMergeScreen() throws Exception {
        var server = TestDatabase.server();
        String database = "demo_members_" + Long.toString(System.nanoTime(), 36);
        try (var c = java.sql.DriverManager.getConnection(server.jdbcUrl(), server.user(), "");
                var s = c.createStatement()) {
            s.execute("create database " + database);
        }
        String[] args = {
            "demo",
            "--seed=3",
            "--stores=4",
            "--counters=4",
            "--brands=4",
            "--members=600",
            "--patron.db.url=" + server.jdbcUrl().replace("/postgres", "/" + database),
            "--patron.db.user=" + server.user(),
            "--patron.security.admin-password=" + TestData.ADMIN_PASSWORD,
            "--staff-password=Demo-password-1"
        };
        try (ConfigurableApplicationContext ctx =
                PatronApplication.application(args).run(args)) {
            JdbcClient jdbc = ctx.getBean(JdbcClient.class);
            long members = jdbc.sql("select count(*) from members.member")
                    .query(Long.class)
                    .single();
            assertThat(members).isBetween(600L, 620L);
            assertThat(jdbc.sql("select count(*) from members.member where name !~ '^[\\u4e00-\\u9fff]{2,6}$'")
                            .query(Long.class)
                            .single())
                    .isZero();
            assertThat(jdbc.sql("select count(*) from members.member where phone !~ '^\\+861[3-9][0-9]{9}$'")
                            .query(Long.class)
                            .single())
                    .isZero();
            assertThat(jdbc.sql("select min(joined_on) from members.member")
                            .query(LocalDate.class)
                            .single())
                    .isAfter(LocalDate.now().minusYears(3).minusDays(201));
            assertThat(jdbc.sql(
                                    "select count(*) from members.member where birthday is null or preferred_store_id is null")
                            .query(Long.class)
                            .single())
                    .isLessThan(15);
            assertThat(jdbc.sql("select count(*) from members.card")
                            .query(Long.class)
                            .single())
                    .isEqualTo(members);
            long nameBirthdayPairs = jdbc.sql("""
                    select count(*) from members.member a join members.member b on a.name = b.name and a.birthday = b.birthday and a.id < b.id""").query(Long.class).single();
            long sharedPhones = jdbc.sql(
                            "select count(*) from (select phone from members.member group by phone having count(*) > 1) x")
                    .query(Long.class)
                    .single();
            assertThat(nameBirthdayPairs).isPositive();
            assertThat(sharedPhones).isPositive();
        }
    }
}
