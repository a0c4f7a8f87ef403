package dev.patron;

import dev.patron.shared.db.EmbeddedPostgresServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.MapPropertySource;

/**
 * One real PostgreSQL server for the whole test JVM (embedded, throw-away directory, fsync off
 * because nothing here must survive a power cut). Every Spring context of the tests points at it
 * through {@code patron.db.url}, as an external database would be configured.
 */
public final class TestDatabase implements ApplicationContextInitializer<ConfigurableApplicationContext> {

    private static EmbeddedPostgresServer server;

    public static synchronized EmbeddedPostgresServer server() {
        if (server == null) {
            try {
                Path dir = Files.createTempDirectory("patron-test-db");
                server = EmbeddedPostgresServer.start(dir, 0, false);
                EmbeddedPostgresServer started = server;
                Runtime.getRuntime()
                        .addShutdownHook(new Thread(() -> stopAfterSpringContexts(started), "test-db-stop"));
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
        return server;
    }

    /**
     * JVM shutdown hooks run concurrently: wait for the cached Spring test contexts to close (their
     * outbox and pools still use the database) before stopping PostgreSQL.
     */
    private static void stopAfterSpringContexts(EmbeddedPostgresServer db) {
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t != Thread.currentThread() && t.getName().startsWith("SpringContextShutdownHook")) {
                try {
                    t.join(30_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
        db.close();
    }

    @Override
    public void initialize(ConfigurableApplicationContext context) {
        EmbeddedPostgresServer db = server();
        context.getEnvironment()
                .getPropertySources()
                .addFirst(new MapPropertySource(
                        "patron-test-db",
                        Map.of(
                                "patron.db.url", db.jdbcUrl(),
                                "patron.db.user", db.user(),
                                "patron.db.password", "")));
    }
}
