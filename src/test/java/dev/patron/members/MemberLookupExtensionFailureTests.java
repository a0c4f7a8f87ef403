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
 * The lookup runs outside any transaction, in one statement with the extensions' fragments, or each
 * read on its own: an extension whose statement PostgreSQL rejects is left out of the answer, a
 * fragment that fails or clashes makes the lookup read on its own, and every answer still carries
 * the other extensions' data and leaves exactly one audit row of the unmasked view.
 */
@PatronIntegrationTest
class MemberLookupExtensionFailureTests {

    @LocalServerPort
    int port;

    @Autowired
    JdbcClient jdbc;

    @Autowired
    MemberManagement members;

    @AfterEach
    void reset() {
        FailingLookupExtension.FAIL_FOR.set(-1);
        FailingLookupExtension.FRAGMENT.set(null);
        members.resetComposedLookup();
    }

    @Test
    void aHealthyLookupIsOneStatementWithItsCardPointsTierAndAuditRow() {
        ApiClient admin = new ApiClient(port, TestData.BOOTSTRAP_API_KEY);
        MemberFixtures fx = new MemberFixtures(admin);
        String phone = phone();
        JsonNode created = fx.member("沈一句", phone, fx.store());
        long id = created.path("id").asLong();
        String card = created.path("cards").path(0).path("number").asString();
        JsonNode cardIn360 =
                admin.get("/api/v1/members/" + id).json().path("cards").path(0);
        assertThat(cardIn360.path("number").asString()).isEqualTo(card);
        long fallbacks = members.lookupFallbacks();
        long viewedBefore = viewed(id); // the 360 view is audited too

        for (int i = 1; i <= 2; i++) { // the first may audit after the statement (columns not yet checked)
            JsonNode byPhone =
                    admin.get("/api/v1/members/lookup?phone=" + phone).json();
            assertThat(byPhone.path("member").path("id").asLong()).isEqualTo(id);
            assertThat(byPhone.path("extras").path("points").path("memberId").asLong())
                    .isEqualTo(id);
            assertThat(byPhone.path("extras").path("tier").path("code").asString())
                    .isNotEmpty();
            assertThat(byPhone.path("card").isMissingNode()
                            || byPhone.path("card").isNull())
                    .isTrue();
            assertThat(viewed(id)).isEqualTo(viewedBefore + 2L * i - 1);
            JsonNode byCard = admin.get("/api/v1/members/lookup?card=" + card).json();
            assertThat(byCard.path("member").path("id").asLong()).isEqualTo(id);
            assertThat(byCard.path("card").path("number").asString()).isEqualTo(card);
            assertThat(byCard.path("card").path("status").asString()).isEqualTo("ACTIVE");
            assertThat(byCard.path("card")).isEqualTo(cardIn360); // the same fields as the 360 view's
            assertThat(byCard.path("extras").path("tier").path("code").asString())
                    .isNotEmpty();
            assertThat(viewed(id)).isEqualTo(viewedBefore + 2L * i);
        }
        assertThat(members.lookupColumnsChecked()).isTrue();
        assertThat(members.lookupFallbacks()).isEqualTo(fallbacks);
        assertThat(jdbc.sql("select actor from audit.audit_event where action = 'member.viewed' and entity_id = ?"
                                + " order by id desc limit 1")
                        .param(String.valueOf(id))
                        .query(String.class)
                        .single())
                .isNotBlank();
    }

    @Test
    void aFragmentThatFailsMakesThatLookupReadEachExtensionOnItsOwn() {
        ApiClient admin = new ApiClient(port, TestData.BOOTSTRAP_API_KEY);
        MemberFixtures fx = new MemberFixtures(admin);
        String phone = phone();
        String otherPhone = phone();
        long id = fx.member("沈片段", phone, fx.store()).path("id").asLong();
        long other = fx.member("沈旁人", otherPhone, fx.store()).path("id").asLong();
        FailingLookupExtension.FAIL_FOR.set(id);
        FailingLookupExtension.FRAGMENT.set(FailingLookupExtension.DIVIDES_BY_ZERO);
        admin.get("/api/v1/members/lookup?phone=" + otherPhone); // checks the statement's columns
        long fallbacks = members.lookupFallbacks();

        JsonNode fine = admin.get("/api/v1/members/lookup?phone=" + otherPhone).json();
        assertThat(fine.path("member").path("id").asLong()).isEqualTo(other);
        assertThat(members.lookupFallbacks()).isEqualTo(fallbacks);

        int failedBefore = FailingLookupExtension.FAILED.get();
        var res = admin.get("/api/v1/members/lookup?phone=" + phone);
        assertThat(res.status()).isEqualTo(200);
        JsonNode broken = res.json();
        assertThat(broken.path("member").path("id").asLong()).isEqualTo(id);
        assertThat(broken.path("extras").has("failingInTests")).isFalse();
        assertThat(broken.path("extras").path("points").path("memberId").asLong())
                .isEqualTo(id);
        assertThat(broken.path("extras").path("tier").path("code").asString()).isNotEmpty();
        assertThat(members.lookupFallbacks()).isEqualTo(fallbacks + 1);
        assertThat(FailingLookupExtension.FAILED.get()).isEqualTo(failedBefore + 1); // its own read failed too
        assertThat(members.composedLookup()).isTrue(); // a failure at run time does not switch it off
        // the failed statement's audit row was rolled back with it: one row for the one answer
        assertThat(viewed(id)).isEqualTo(1);
    }

    @Test
    void aFragmentWhoseColumnsClashSwitchesTheLookupToSeparateReadsWithoutAuditingTwice() {
        ApiClient admin = new ApiClient(port, TestData.BOOTSTRAP_API_KEY);
        MemberFixtures fx = new MemberFixtures(admin);
        String phone = phone();
        long id = fx.member("沈同名", phone, fx.store()).path("id").asLong();
        members.resetComposedLookup(); // as after a start with this extension deployed
        FailingLookupExtension.FRAGMENT.set("select 'not the member' as name where %s is not null");
        long fallbacks = members.lookupFallbacks();

        for (int i = 1; i <= 2; i++) {
            JsonNode answer = admin.get("/api/v1/members/lookup?phone=" + phone).json();
            assertThat(answer.path("member").path("id").asLong()).isEqualTo(id);
            assertThat(answer.path("member").path("name").asString()).isEqualTo("沈同名");
            assertThat(answer.path("extras").path("points").path("memberId").asLong())
                    .isEqualTo(id);
            assertThat(viewed(id)).isEqualTo(i);
        }
        assertThat(members.composedLookup()).isFalse();
        assertThat(members.lookupFallbacks()).isEqualTo(fallbacks + 1); // not tried again
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
