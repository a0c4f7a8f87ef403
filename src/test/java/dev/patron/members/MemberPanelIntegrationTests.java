package dev.patron.members;

import static dev.patron.members.MemberFixtures.phone;
import static org.assertj.core.api.Assertions.assertThat;

import dev.patron.ApiClient;
import dev.patron.PatronIntegrationTest;
import dev.patron.TestData;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;

/** The 360 view collects panels from other modules without knowing them; a failing panel does not break it. */
@PatronIntegrationTest
class MemberPanelIntegrationTests {

    @LocalServerPort
    int port;

    @Test
    void aPanelWhoseQueryFailsLeavesTheViewAndTheErasureWorking() {
        ApiClient admin = new ApiClient(port, TestData.BOOTSTRAP_API_KEY);
        MemberFixtures fx = new MemberFixtures(admin);
        long id = fx.member("错查询", phone(), fx.store()).path("id").asLong();
        TestPanels.FAILING_SQL.add(id);

        var res = admin.get("/api/v1/members/" + id);
        assertThat(res.status()).as(res.raw()).isEqualTo(200);
        for (JsonNode p : res.json().path("panels")) {
            if (p.path("key").asString().equals("test-broken-sql")) {
                assertThat(p.path("status").asString()).isEqualTo("UNAVAILABLE");
            }
        }
        var erased = admin.post("/api/v1/members/" + id + "/erase", java.util.Map.of("reason", "member asked"));
        assertThat(erased.status()).as(erased.raw()).isEqualTo(200);
        assertThat(erased.json().path("status").asString()).isEqualTo("ERASED");
    }

    @Test
    void contributedPanelsAppearInOrderAndAFailingOneIsMarkedUnavailable() {
        ApiClient admin = new ApiClient(port, TestData.BOOTSTRAP_API_KEY);
        MemberFixtures fx = new MemberFixtures(admin);
        long id = fx.member("钱多多", phone(), fx.store()).path("id").asLong();
        TestPanels.ECHO.add(id);
        TestPanels.FAILING.add(id);

        var res = admin.get("/api/v1/members/" + id);
        assertThat(res.status()).isEqualTo(200);
        JsonNode panels = res.json().path("panels");
        assertThat(panels.findValuesAsString("key")).containsSubsequence("test-broken", "test-points");
        JsonNode broken = null;
        JsonNode points = null;
        for (JsonNode p : panels) {
            if (p.path("key").asString().equals("test-broken")) {
                broken = p;
            } else if (p.path("key").asString().equals("test-points")) {
                points = p;
            }
        }
        assertThat(broken.path("status").asString()).isEqualTo("UNAVAILABLE");
        assertThat(points.path("status").asString()).isEqualTo("OK");
        assertThat(points.path("data").path("balance").asInt()).isEqualTo(1200);
        assertThat(points.path("titleKey").asString()).isEqualTo("test.points");

        long other = fx.member("孙少少", phone(), null).path("id").asLong();
        JsonNode otherPanels = admin.get("/api/v1/members/" + other).json().path("panels");
        for (JsonNode p : otherPanels) {
            if (p.path("key").asString().startsWith("test-")) { // other modules' real panels answer for everyone
                assertThat(p.path("status").asString()).isEqualTo("EMPTY");
            }
        }
        assertThat(admin.get("/api/v1/members/" + id + "/export")
                        .json()
                        .path("panels")
                        .path("test-points")
                        .path("balance")
                        .asInt())
                .isEqualTo(1200);
    }
}
