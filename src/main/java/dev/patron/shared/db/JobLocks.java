package dev.patron.shared.db;

import javax.sql.DataSource;
import net.javacrumbs.shedlock.core.LockProvider;
import net.javacrumbs.shedlock.provider.jdbctemplate.JdbcTemplateLockProvider;
import net.javacrumbs.shedlock.spring.annotation.EnableSchedulerLock;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Cluster locks for scheduled jobs (ShedLock): a job annotated with {@code @SchedulerLock}, or run
 * through the {@link LockProvider}, runs on one application instance at a time, whichever module it
 * belongs to. Lock rows live in {@code public.shedlock} and use the database's clock, so instances
 * with skewed clocks agree. At most one hour unless a job says otherwise.
 */
@Configuration
@EnableSchedulerLock(defaultLockAtMostFor = "PT1H")
class JobLocks {

    @Bean
    LockProvider lockProvider(DataSource dataSource) {
        return new JdbcTemplateLockProvider(JdbcTemplateLockProvider.Configuration.builder()
                .withJdbcTemplate(new JdbcTemplate(dataSource))
                .withTableName("public.shedlock")
                .usingDbTime()
                .build());
    }
}
