package dev.patron.campaigns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.math.BigDecimal;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import org.junit.jupiter.api.Test;

/** The campaign engine's arithmetic and text rules, without Spring. */
class CampaignRulesTests {

    static CampaignSettings settings() {
        return new CampaignSettings(
                "localhost",
                25,
                "crm@sunshine.example.com",
                "阳光百货会员中心",
                "400-820-0000",
                "阳光百货",
                3,
                LocalTime.of(21, 0),
                LocalTime.of(8, 0),
                200,
                200,
                4,
                new BigDecimal("0.5"),
                new BigDecimal("4.5"),
                BigDecimal.ONE,
                "https://crm.example.com");
    }

    @Test
    void liftIsTheDifferenceOfMeansWithAWelchNormalConfidenceInterval() {
        // treatment: 0, 0, 100, 200 fen → mean 75, s² = 27500/3; control: 0, 50, 10 → mean 20, s² = 700
        Lift l = Lift.of(new Lift.GroupSums(4, 2, 300, 50_000), new Lift.GroupSums(3, 2, 60, 2_600));
        assertThat(l.treatmentMeanFen()).isEqualTo(75.0);
        assertThat(l.controlMeanFen()).isEqualTo(20.0);
        assertThat(l.liftPerMemberFen()).isEqualTo(55.0);
        // SE = sqrt(9166.67/4 + 700/3) = sqrt(2525) = 50.2494
        assertThat(l.standardErrorFen()).isCloseTo(Math.sqrt(2525), within(1e-9));
        assertThat(l.lowFen()).isCloseTo(55 - 1.959964 * 50.249378, within(1e-4));
        assertThat(l.highFen()).isCloseTo(55 + 1.959964 * 50.249378, within(1e-4));
        assertThat(l.incrementalSalesFen()).isEqualTo(220);
        assertThat(l.treatmentResponseRate()).isEqualTo(0.5);
        assertThat(l.controlResponseRate()).isCloseTo(2.0 / 3, within(1e-12));
        double rse = Math.sqrt(0.25 / 4 + (2.0 / 3) * (1.0 / 3) / 3);
        assertThat(l.responseRateLow()).isCloseTo(0.5 - 2.0 / 3 - 1.959964 * rse, within(1e-9));
    }

    @Test
    void liftHasNoIntervalWithFewerThanTwoMembersInAGroup() {
        Lift l = Lift.of(new Lift.GroupSums(5, 1, 1000, 1_000_000), new Lift.GroupSums(1, 0, 0, 0));
        assertThat(l.liftPerMemberFen()).isEqualTo(200.0);
        assertThat(l.standardErrorFen()).isNull();
        assertThat(l.lowFen()).isNull();
        assertThat(Lift.of(new Lift.GroupSums(5, 1, 1000, 1_000_000), new Lift.GroupSums(0, 0, 0, 0))
                        .incrementalSalesFen())
                .isZero();
    }

    @Test
    void smsSegmentsFollowUcs2AndGsm7Limits() {
        assertThat(SmsText.of("a".repeat(160)).segments()).isEqualTo(1);
        assertThat(SmsText.of("a".repeat(161)).segments()).isEqualTo(2);
        assertThat(SmsText.of("a".repeat(306)).segments()).isEqualTo(2);
        assertThat(SmsText.of("a".repeat(307)).segments()).isEqualTo(3);
        assertThat(SmsText.of("{".repeat(80)).length()).isEqualTo(160);
        assertThat(SmsText.of("积".repeat(70)).segments()).isEqualTo(1);
        assertThat(SmsText.of("积".repeat(71)).segments()).isEqualTo(2);
        assertThat(SmsText.of("积".repeat(134)).segments()).isEqualTo(2);
        assertThat(SmsText.of("积".repeat(135)).segments()).isEqualTo(3);
        assertThat(SmsText.of("a".repeat(100) + "积").ucs2()).isTrue();
    }

    @Test
    void smsCarriesTheSignatureAndTheOptOutAndEmailTheAdMarkerFooterAndListUnsubscribe() {
        assertThat(Composer.sms("王芳您好，积分待兑换", settings())).isEqualTo("【阳光百货】王芳您好，积分待兑换 回T退订");
        assertThat(Composer.sms("【阳光百货】已签名 回T退订", settings())).isEqualTo("【阳光百货】已签名 回T退订");
        assertThat(Composer.adSubject("双十二", true)).isEqualTo("广告：双十二");
        assertThat(Composer.adSubject("AD: Sale", false)).isEqualTo("AD: Sale");
        var mail = Composer.compose(
                1,
                "k",
                "a@example.com",
                new TemplateText(
                        Channel.EMAIL, "zh", "{name}专享", "{name}<b> {link:https://x.example/a}", "<p>{name}</p>", null),
                new Personalisation.MemberData(
                        1, "<王芳>", null, null, null, "ACTIVE", "金卡", "Gold", 10, 2, "南京路店", null),
                settings(),
                Sending.PLAIN);
        assertThat(mail.subject()).isEqualTo("广告：<王芳>专享");
        assertThat(mail.text())
                .startsWith("<王芳><b> https://x.example/a")
                .contains("400-820-0000")
                .contains("退订");
        assertThat(mail.html()).startsWith("<p>&lt;王芳&gt;</p>").contains("阳光百货会员中心");
        assertThat(mail.headers()).containsEntry("List-Unsubscribe-Post", "List-Unsubscribe=One-Click");
    }

    @Test
    void unknownVariablesAndBadLinksAreReported() {
        assertThat(Personalisation.problems("{name}{tier}{points}{expiring_points}{store}{link:https://a.b/c}"))
                .isEmpty();
        assertThat(Personalisation.problems("{nmae} {link:javascript:alert(1)} {points:3}"))
                .containsExactly("{nmae}", "{link:javascript:alert(1)}", "{points:3}");
        assertThat(Personalisation.links("{link:https://a/1} {link:https://a/2} {link:https://a/1}"))
                .containsExactly("https://a/1", "https://a/2");
    }

    @Test
    void tokensRoundTripAndRefuseTampering() {
        String t = Tokens.sign("secret", Tokens.Kind.CLICK, 123456789L, 3);
        assertThat(t).hasSize(36).doesNotContain("123456789");
        assertThat(Tokens.verify("secret", t)).contains(new Tokens.Token(Tokens.Kind.CLICK, 123456789L, 3));
        assertThat(Tokens.verify("other", t)).isEmpty();
        char[] c = t.toCharArray();
        c[5] = c[5] == 'A' ? 'B' : 'A';
        assertThat(Tokens.verify("secret", new String(c))).isEmpty();
        assertThat(Tokens.verify("secret", "x")).isEmpty();
    }

    @Test
    void quietHoursWrapMidnightAndEndAtEightInTheStoresZone() {
        CampaignSettings s = settings();
        assertThat(s.quiet(LocalTime.of(21, 0))).isTrue();
        assertThat(s.quiet(LocalTime.of(3, 0))).isTrue();
        assertThat(s.quiet(LocalTime.of(8, 0))).isFalse();
        assertThat(s.quiet(LocalTime.of(20, 59))).isFalse();
        ZoneId zone = ZoneId.of("Asia/Shanghai");
        assertThat(Sending.quietEnds(LocalDateTime.of(2026, 11, 26, 22, 30), zone, s))
                .isEqualTo(ZonedDateTime.of(2026, 11, 27, 8, 0, 0, 0, zone).toInstant());
        assertThat(Sending.quietEnds(LocalDateTime.of(2026, 11, 27, 3, 0), zone, s))
                .isEqualTo(ZonedDateTime.of(2026, 11, 27, 8, 0, 0, 0, zone).toInstant());
    }

    @Test
    void audienceLinesAreReadAsMemberIdsPhonesOrCards() {
        assertThat(AudienceLists.read("M123")).containsExactly("MEMBER_ID", "123");
        assertThat(AudienceLists.read("id: 42")).containsExactly("MEMBER_ID", "42");
        assertThat(AudienceLists.read("139 1234 5678")).containsExactly("PHONE", "+8613912345678");
        assertThat(AudienceLists.read("+8613912345678")).containsExactly("PHONE", "+8613912345678");
        assertThat(AudienceLists.read("p8800001234")).containsExactly("CARD", "P8800001234");
        assertThat(AudienceLists.read("no such thing!")[0]).isEqualTo("INVALID");
    }

    @Test
    void backoffDoublesFromThirtySecondsUpToAnHour() {
        assertThat(Sending.backoff(1).toSeconds()).isEqualTo(30);
        assertThat(Sending.backoff(2).toSeconds()).isEqualTo(60);
        assertThat(Sending.backoff(3).toSeconds()).isEqualTo(120);
        assertThat(Sending.backoff(20).toSeconds()).isEqualTo(3600);
    }
}
