package dev.patron.shared;

import dev.patron.shared.db.DatabaseServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.event.EventListener;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/** Says in the log what started where: console URL, database, data directory, PostgreSQL version. */
@Component
class StartupReport {

    private static final Logger log = LoggerFactory.getLogger("dev.patron");
    private final DatabaseServer server;
    private final JdbcClient jdbc;

    StartupReport(DatabaseServer server, JdbcClient jdbc) {
        this.server = server;
        this.jdbc = jdbc;
    }

    @EventListener
    void ready(ApplicationReadyEvent event) {
        String version = jdbc.sql("show server_version").query(String.class).single();
        String fsync = jdbc.sql("show fsync").query(String.class).single();
        String syncCommit =
                jdbc.sql("show synchronous_commit").query(String.class).single();
        String db = server.isEmbedded()
                ? "embedded PostgreSQL " + version + ", data directory " + server.dataDir()
                : "external PostgreSQL " + version + " at " + server.jdbcUrl();
        if (event.getApplicationContext() instanceof WebServerApplicationContext web) {
            int port = web.getWebServer().getPort();
            log.info(
                    "Patron is ready at http://localhost:{}/ ({}; fsync={}, synchronous_commit={})",
                    port,
                    db,
                    fsync,
                    syncCommit);
        } else {
            log.info("Patron command running on {} (fsync={}, synchronous_commit={})", db, fsync, syncCommit);
        }
    }
}
