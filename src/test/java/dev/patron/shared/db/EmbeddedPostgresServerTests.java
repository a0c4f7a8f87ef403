package dev.patron.shared.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedded server as production runs it: durable settings, persistent directory, one owner, crash recovery. */
class EmbeddedPostgresServerTests {

    @TempDir
    Path dir;

    @Test
    void runsWithFsyncAndSynchronousCommitOn() throws Exception {
        try (EmbeddedPostgresServer server = EmbeddedPostgresServer.start(dir, 0, true)) {
            assertThat(setting(server, "fsync")).isEqualTo("on");
            assertThat(setting(server, "synchronous_commit")).isEqualTo("on");
            assertThat(setting(server, "full_page_writes")).isEqualTo("on");
            assertThat(setting(server, "server_version")).startsWith("17.");
            assertThat(setting(server, "max_wal_size")).isEqualTo("8GB");
            assertThat(setting(server, "checkpoint_timeout")).isEqualTo("15min");
        }
    }

    @Test
    void furtherSettingsSuchAsSharedBuffersApplyToThatStartOnly() throws Exception {
        try (EmbeddedPostgresServer server = EmbeddedPostgresServer.start(
                dir, 0, true, java.util.Map.of("shared_buffers", "48MB", "max_wal_size", "2GB"))) {
            assertThat(setting(server, "shared_buffers")).isEqualTo("48MB");
            assertThat(setting(server, "max_wal_size")).isEqualTo("2GB");
        }
        try (EmbeddedPostgresServer server = EmbeddedPostgresServer.start(dir, 0, true)) {
            assertThat(setting(server, "shared_buffers")).isEqualTo("128MB");
        }
    }

    @Test
    void sharedBuffersTakesPostgresMemoryUnitsAndRefusesAnythingElseByName() {
        assertThat(props("4GB").embeddedSettings()).containsEntry("shared_buffers", "4GB");
        assertThat(props(" 512MB ").embeddedSettings()).containsEntry("shared_buffers", "512MB");
        assertThat(props("").embeddedSettings()).isEmpty();
        assertThat(props(null).embeddedSettings()).isEmpty();
        assertThatThrownBy(() -> props("lots"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("patron.db.shared-buffers");
    }

    private static PatronDatabaseProperties props(String sharedBuffers) {
        return new PatronDatabaseProperties(null, null, null, null, null, null, null, sharedBuffers);
    }

    @Test
    void aRestartFindsEveryCommittedRowAgain() throws Exception {
        try (EmbeddedPostgresServer server = EmbeddedPostgresServer.start(dir, 0, true)) {
            execute(server, "create table t(v text)", "insert into t values ('会员'), ('points')");
        }
        try (EmbeddedPostgresServer server = EmbeddedPostgresServer.start(dir, 0, true)) {
            assertThat(count(server, "select count(*) from t")).isEqualTo(2);
        }
    }

    @Test
    void aSecondStartOnTheSameDirectoryFailsClearlyAndLeavesTheFirstRunning() throws Exception {
        try (EmbeddedPostgresServer first = EmbeddedPostgresServer.start(dir, 0, true)) {
            execute(first, "create table t(v int)", "insert into t values (1)");
            assertThatThrownBy(() -> EmbeddedPostgresServer.start(dir, 0, true))
                    .isInstanceOf(EmbeddedPostgresServer.DataDirectoryInUseException.class)
                    .hasMessageContaining("in use by another running Patron process");
            assertThat(count(first, "select count(*) from t")).isEqualTo(1);
        }
    }

    @Test
    void afterSigkillOfTheProcessAndItsDatabaseNoCommittedRowIsLost() throws Exception {
        long acknowledged = runProbeAndKill(true);
        try (EmbeddedPostgresServer server = EmbeddedPostgresServer.start(dir, 0, true)) {
            long rows = count(server, "select count(*) from probe");
            assertThat(acknowledged).isGreaterThanOrEqualTo(20);
            assertThat(rows).isGreaterThanOrEqualTo(acknowledged);
            assertThat(count(server, "select max(n) from probe")).isEqualTo(rows); // no gaps: 1..rows
        }
    }

    @Test
    void afterSigkillOfOnlyTheJvmTheOrphanedDatabaseIsStoppedAndReused() throws Exception {
        long acknowledged = runProbeAndKill(false);
        try (EmbeddedPostgresServer server = EmbeddedPostgresServer.start(dir, 0, true)) {
            assertThat(count(server, "select count(*) from probe")).isGreaterThanOrEqualTo(acknowledged);
        }
    }

    /**
     * Starts {@link CrashProbe} in a child JVM, waits until it acknowledged 20 commits, then kills it
     * with SIGKILL (and its PostgreSQL server too when {@code killDatabase}). Returns the last
     * acknowledged row number.
     */
    private long runProbeAndKill(boolean killDatabase) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(
                        java, "-cp", System.getProperty("java.class.path"), CrashProbe.class.getName(), dir.toString())
                .redirectErrorStream(true)
                .start();
        long last = 0;
        List<String> output = new ArrayList<>();
        try (BufferedReader out =
                new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null) {
                output.add(line);
                if (line.startsWith("COMMITTED ")) {
                    last = Long.parseLong(line.substring(10).trim());
                    if (last >= 20) {
                        break;
                    }
                }
            }
            assertThat(last).as("probe output: %s", output).isGreaterThanOrEqualTo(20);
            long postmaster =
                    Long.parseLong(Files.readAllLines(dir.resolve("pg").resolve("postmaster.pid"))
                            .get(0)
                            .trim());
            kill9(child.pid());
            if (killDatabase) {
                kill9(postmaster);
            }
            child.waitFor(30, TimeUnit.SECONDS);
            // everything the probe printed before it died counts as acknowledged
            while ((line = out.readLine()) != null) {
                if (line.startsWith("COMMITTED ")) {
                    last = Long.parseLong(line.substring(10).trim());
                }
            }
        }
        assertThat(child.isAlive()).isFalse();
        return last;
    }

    private static void kill9(long pid) throws Exception {
        Process kill = new ProcessBuilder("kill", "-9", Long.toString(pid))
                .redirectErrorStream(true)
                .start();
        assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
        ProcessHandle.of(pid).ifPresent(h -> h.onExit().join());
    }

    private static String setting(EmbeddedPostgresServer server, String name) throws Exception {
        try (Connection c = DriverManager.getConnection(server.jdbcUrl(), server.user(), "");
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("show " + name)) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static long count(EmbeddedPostgresServer server, String sql) throws Exception {
        try (Connection c = DriverManager.getConnection(server.jdbcUrl(), server.user(), "");
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static void execute(EmbeddedPostgresServer server, String... sql) throws Exception {
        try (Connection c = DriverManager.getConnection(server.jdbcUrl(), server.user(), "");
                Statement s = c.createStatement()) {
            for (String q : sql) {
                s.execute(q);
            }
        }
    }
}
