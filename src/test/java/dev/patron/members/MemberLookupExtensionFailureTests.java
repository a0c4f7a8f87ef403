package dev.patron.members;

import static dev.patron.members.MemberFixtures.e164;
import static dev.patron.members.MemberFixtures.phone;
import static org.assertj.core.api.Assertions.assertThat;

import dev.patron.ApiClient;
import dev.patron.PatronIntegrationTest;
import dev.patron.TestData;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * The lookup runs each statement on its own, outside any transaction: an extension whose statement
 * PostgreSQL rejects is left out of the answer, and the answer still carries the other extensions'
 * data and leaves exactly one audit row of the unmasked view.
 */
@PatronIntegrationTest
class MemberLookupExtensionFailureTests {

    @LocalServerPort
    int port;

    @Autowired
    JdbcClient jdbc;

    @AfterEach
    void reset() {
        FailingLookupExtension.FAIL_FOR.set(-1);
    }

    @Test
    void aFailingExtensionIsLeftOutAndTheViewIsAuditedOnce() {
        ApiClient admin = new ApiClient(port, TestData.BOOTSTRAP_API_KEY);
        MemberFixtures fx = new MemberFixtures(admin);
        String phone = phone();
        long id = fx.member("沈失败", phone, fx.store()).path("id").asLong();

        JsonNode healthy = admin.get("/api/v1/members/lookup?phone=" + phone).json();
        assertThat(healthy.path("member").path("id").asLong()).isEqualTo(id);
        assertThat(healthy.path("extras").has("failingInTests")).isFalse();
        assertThat(healthy.path("extras").has("points")).isTrue();
        assertThat(viewed(id)).isEqualTo(1);

        int failedBefore = FailingLookupExtension.FAILED.get();
        FailingLookupExtension.FAIL_FOR.set(id);
        var res = admin.get("/api/v1/members/lookup?phone=" + phone);
        assertThat(res.status()).isEqualTo(200);
        JsonNode broken = res.json();
        assertThat(broken.path("member").path("id").asLong()).isEqualTo(id);
        assertThat(broken.path("member").path("phone").asString()).isEqualTo(e164(phone));
        assertThat(broken.path("extras").has("failingInTests")).isFalse();
        assertThat(FailingLookupExtension.FAILED.get()).isEqualTo(failedBefore + 1);
        // the other extensions still answer
        assertThat(broken.path("extras").path("points").path("memberId").asLong())
                .isEqualTo(id);
        assertThat(broken.path("extras").path("tier").path("code").asString()).isNotEmpty();
        // one audit row per answered lookup
        assertThat(viewed(id)).isEqualTo(2);
    }

    private long viewed(long id) {
        return jdbc.sql("select count(*) from audit.audit_event where action = 'member.viewed' and entity_id = ?")
                .param(String.valueOf(id))
                .query(Long.class)
                .single();
    }
}
