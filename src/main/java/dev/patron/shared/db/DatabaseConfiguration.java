package dev.patron.shared.db;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import javax.sql.DataSource;
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
            EmbeddedPostgresServer server =
                    EmbeddedPostgresServer.start(props.dataDir(), props.port(), props.durable());
            return new DatabaseServer(server.jdbcUrl(), server.user(), null, server.dataDir(), server);
        }
        return new DatabaseServer(props.url(), props.user(), props.password(), null, null);
    }

    @Bean(destroyMethod = "close")
    HikariDataSource dataSource(DatabaseServer server, PatronDatabaseProperties props) {
        HikariConfig config = new HikariConfig();
        config.setPoolName("patron");
        config.setJdbcUrl(server.jdbcUrl());
        config.setUsername(server.user());
        config.setPassword(server.password());
        config.setMaximumPoolSize(props.poolSize());
        config.setMinimumIdle(Math.min(2, props.poolSize()));
        return new HikariDataSource(config);
    }

    /** See {@link OutboxAwareTransactionManager}: outbox bookkeeping commits without waiting for the WAL flush. */
    @Bean
    OutboxAwareTransactionManager transactionManager(DataSource dataSource) {
        return new OutboxAwareTransactionManager(dataSource);
    }
}
