package dev.patron.shared.db;

import java.nio.file.Path;

/**
 * Where the database is: connection details, and for the embedded server its data directory.
 *
 * @param embedded the running embedded server, or null for an external database
 */
public record DatabaseServer(
        String jdbcUrl, String user, String password, Path dataDir, EmbeddedPostgresServer embedded)
        implements AutoCloseable {

    public boolean isEmbedded() {
        return embedded != null;
    }

    @Override
    public void close() {
        if (embedded != null) {
            embedded.close();
        }
    }

    @Override
    public String toString() {
        return "DatabaseServer[" + jdbcUrl + (dataDir != null ? ", data " + dataDir : "") + "]";
    }
}
