package dev.patron;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.Socket;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Patron as a user starts it: no database configured, so it runs its own durable PostgreSQL on a
 * data directory. Records survive a restart; a second Patron on the same directory is refused.
 */
class EmbeddedModeIntegrationTests {

    @TempDir
    Path dataDir;

    private ConfigurableApplicationContext start() {
        return SpringApplication.run(
                PatronApplication.class,
                "--server.port=0",
                "--patron.db.url=",
                "--patron.db.data-dir=" + dataDir,
                "--patron.security.admin-password=" + TestData.ADMIN_PASSWORD,
                "--patron.security.bootstrap-api-key=" + TestData.BOOTSTRAP_API_KEY);
    }

    private static int port(ConfigurableApplicationContext ctx) {
        return ((WebServerApplicationContext) ctx).getWebServer().getPort();
    }

    @Test
    void keepsEveryRecordAcrossARestartAndRefusesASecondInstance() throws Exception {
        int dbPort;
        try (ConfigurableApplicationContext first = start()) {
            ApiClient api = new ApiClient(port(first), TestData.BOOTSTRAP_API_KEY);
            assertThat(api.post("/api/v1/regions", Map.of("code", "EAST", "name", "华东区"))
                            .status())
                    .isEqualTo(201);
            assertThat(api.post("/api/v1/stores", Map.of("code", "S001", "name", "阳光百货上海店", "regionCode", "EAST"))
                            .status())
                    .isEqualTo(201);
            var db = first.getBean(dev.patron.shared.db.DatabaseServer.class);
            assertThat(db.isEmbedded()).isTrue();
            assertThat(db.dataDir()).isEqualTo(dataDir.toAbsolutePath().normalize());
            dbPort = db.embedded().port();

            assertThatThrownBy(this::start)
                    .hasRootCauseInstanceOf(
                            dev.patron.shared.db.EmbeddedPostgresServer.DataDirectoryInUseException.class)
                    .rootCause()
                    .hasMessageContaining("in use by another running Patron process");
            // the refused start changed nothing
            assertThat(api.get("/api/v1/stores/S001").status()).isEqualTo(200);
        }
        assertThat(isListening(dbPort)).as("PostgreSQL stopped with Patron").isFalse();

        try (ConfigurableApplicationContext second = start()) {
            ApiClient api = new ApiClient(port(second), TestData.BOOTSTRAP_API_KEY);
            var store = api.get("/api/v1/stores/S001");
            assertThat(store.status()).isEqualTo(200);
            assertThat(store.json().path("name").asString()).isEqualTo("阳光百货上海店");
            assertThat(second.getBean(org.springframework.jdbc.core.simple.JdbcClient.class)
                            .sql("select count(*) from staff.account where username = 'admin'")
                            .query(Long.class)
                            .single())
                    .isEqualTo(1);
        }
    }

    private static boolean isListening(int port) {
        try (Socket s = new Socket("localhost", port)) {
            return true;
        } catch (java.io.IOException e) {
            return false;
        }
    }
}
