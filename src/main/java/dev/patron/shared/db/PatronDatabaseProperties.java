package dev.patron.shared.db;

import java.nio.file.Path;
import java.util.Map;
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
 * @param sharedBuffers the embedded server's {@code shared_buffers} (env {@code PATRON_DB_SHARED_BUFFERS},
 *     e.g. {@code 4GB}; empty: PostgreSQL's 128 MB). On a server with many members set about a
 *     quarter of the RAM, as for any PostgreSQL: pages kept there do not depend on the OS cache.
 */
@ConfigurationProperties("patron.db")
public record PatronDatabaseProperties(
        String url,
        String user,
        String password,
        Path dataDir,
        Integer port,
        Boolean durable,
        Integer poolSize,
        String sharedBuffers) {

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
        if (sharedBuffers != null
                && !sharedBuffers.isBlank()
                && !sharedBuffers.strip().matches("[1-9][0-9]{0,9}(kB|MB|GB|TB)?")) {
            throw new IllegalArgumentException("patron.db.shared-buffers (PATRON_DB_SHARED_BUFFERS) must be a"
                    + " PostgreSQL memory size such as 512MB or 4GB, not '" + sharedBuffers + "'");
        }
    }

    /** The PostgreSQL settings the embedded server starts with beyond its defaults. */
    public Map<String, String> embeddedSettings() {
        return sharedBuffers == null || sharedBuffers.isBlank()
                ? Map.of()
                : Map.of("shared_buffers", sharedBuffers.strip());
    }

    public boolean embedded() {
        return url == null || url.isBlank();
    }
}
