package dev.patron.shared.db;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.time.Duration;
import javax.sql.DataSource;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The one {@link DataSource}: an external PostgreSQL when {@code patron.db.url} is set, otherwise
 * the embedded server on the persistent data directory. The pool depends on the server bean, so on
 * shutdown the pool is closed before the server stops.
 */
@Configuration(proxyBeanMethods = false)
class DatabaseConfiguration {

    @Bean(destroyMethod = "close")
    DatabaseServer databaseServer(PatronDatabaseProperties props) {
        if (props.embedded()) {
            EmbeddedPostgresServer server = EmbeddedPostgresServer.start(
                    props.dataDir(), props.port(), props.durable(), props.embeddedSettings());
            return new DatabaseServer(server.jdbcUrl(), server.user(), null, server.dataDir(), server);
        }
        return new DatabaseServer(props.url(), props.user(), props.password(), null, null);
    }

    @Bean(destroyMethod = "close")
    HikariDataSource dataSource(
            DatabaseServer server,
            PatronDatabaseProperties props,
            @Value("${patron.db.connection-timeout:5s}") Duration connectionTimeout) {
        HikariConfig config = new HikariConfig();
        config.setPoolName("patron");
        config.setJdbcUrl(server.jdbcUrl());
        config.setUsername(server.user());
        config.setPassword(server.password());
        config.setMaximumPoolSize(props.poolSize());
        config.setMinimumIdle(Math.min(2, props.poolSize()));
        // Fail a request within seconds when no connection can be had (database down, disk full,
        // pool exhausted) so that it is answered 503 quickly instead of hanging for Hikari's default
        // 30 s; the pool keeps trying in the background and recovers by itself (docs/RELIABILITY.md).
        config.setConnectionTimeout(connectionTimeout.toMillis());
        config.setValidationTimeout(Math.min(connectionTimeout.toMillis() - 1, 2_000));
        return new HikariDataSource(config);
    }

    /** See {@link OutboxAwareTransactionManager}: outbox bookkeeping commits without waiting for the WAL flush. */
    @Bean
    OutboxAwareTransactionManager transactionManager(DataSource dataSource) {
        return new OutboxAwareTransactionManager(dataSource);
    }
}
