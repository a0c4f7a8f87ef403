package dev.patron.shared.db;

import java.nio.file.Path;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Where Patron keeps its data. With no {@code url} (env {@code PATRON_DB_URL}) Patron runs an
 * embedded PostgreSQL server whose files live in {@code dataDir} (env {@code PATRON_DB_DATA_DIR}).
 *
 * @param url JDBC URL of an external PostgreSQL server; empty means embedded
 * @param user user for the external server
 * @param password password for the external server
 * @param dataDir data directory of the embedded server
 * @param port TCP port of the embedded server on localhost; 0 picks a free one
 * @param durable fsync and synchronous_commit on (must stay true outside tests)
 * @param poolSize maximum JDBC connections
 */
@ConfigurationProperties("patron.db")
public record PatronDatabaseProperties(
        String url, String user, String password, Path dataDir, Integer port, Boolean durable, Integer poolSize) {

    public PatronDatabaseProperties {
        if (dataDir == null) {
            dataDir = Path.of("patron-data");
        }
        if (port == null) {
            port = 0;
        }
        if (durable == null) {
            durable = true;
        }
        if (poolSize == null) {
            poolSize = 20;
        }
    }

    public boolean embedded() {
        return url == null || url.isBlank();
    }
}
