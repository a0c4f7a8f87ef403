package dev.patron.members;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Card check digits, phone normalisation, masking, pinyin keys and tax ids, without Spring. The
 * invariants are checked over many generated values (fixed seeds, so a failure is reproducible).
 */
class MemberRulesTests {

    static final MembersProperties.Cards CARDS = new MembersProperties.Cards("8860", 16, true);

    @Test
    void luhnAcceptsKnownGoodNumbersAndRejectsTypos() {
        assertThat(CardNumbers.luhnValid("79927398713")).isTrue();
        assertThat(CardNumbers.luhnValid("4539148803436467")).isTrue();
        assertThat(CardNumbers.luhnValid("79927398710")).isFalse();
        assertThat(CardNumbers.luhnValid("7992739871a")).isFalse();
        assertThat(CardNumbers.luhnValid("")).isFalse();
    }

    static LongStream serials() {
        Random r = new Random(20261125);
        return LongStream.concat(LongStream.of(1, 9, 10, 99_999_999_999L), r.longs(500, 1, 99_999_999_999L));
    }

    @ParameterizedTest
    @MethodSource("serials")
    void generatedNumbersHaveThePrefixLengthAndAValidCheckDigit(long serial) {
        String n = CardNumbers.generate(CARDS, serial);
        assertThat(n).hasSize(16).startsWith("8860").containsOnlyDigits();
        assertThat(CardNumbers.acceptable(CARDS, n)).isTrue();
    }

    @ParameterizedTest
    @MethodSource("serials")
    void anySingleMistypedDigitIsCaught(long serial) {
        String n = CardNumbers.generate(CARDS, serial);
        for (int position = 0; position < n.length(); position++) {
            for (int delta = 1; delta <= 9; delta++) {
                char[] c = n.toCharArray();
                c[position] = (char) ('0' + (c[position] - '0' + delta) % 10);
                assertThat(CardNumbers.acceptable(CARDS, new String(c)))
                        .as("%s at %d +%d", n, position, delta)
                        .isFalse();
            }
        }
    }

    @ParameterizedTest
    @MethodSource("serials")
    void swappingTwoAdjacentDifferentDigitsIsCaughtExceptNineAndZero(long serial) {
        String n = CardNumbers.generate(CARDS, serial);
        for (int position = 0; position < n.length() - 1; position++) {
            char a = n.charAt(position);
            char b = n.charAt(position + 1);
            if (a == b || (a == '0' && b == '9') || (a == '9' && b == '0')) {
                continue;
            }
            String swapped = n.substring(0, position) + b + a + n.substring(position + 2);
            assertThat(CardNumbers.acceptable(CARDS, swapped))
                    .as("%s swapped at %d", n, position)
                    .isFalse();
        }
    }

    @Test
    void cardNumbersOfTheWrongLengthOrWithoutCheckDigitAreRefused() {
        assertThat(CardNumbers.acceptable(CARDS, "8860000000001")).isFalse();
        assertThat(CardNumbers.acceptable(new MembersProperties.Cards("77", 10, false), "7700000001"))
                .isTrue();
    }

    static Stream<String> mobiles() {
        String[] prefixes = {"138", "139", "150", "151", "186", "187", "177", "199", "135", "182"};
        Random r = new Random(17);
        return Stream.generate(
                        () -> prefixes[r.nextInt(prefixes.length)] + String.format("%08d", r.nextInt(100_000_000)))
                .limit(300);
    }

    @ParameterizedTest
    @MethodSource("mobiles")
    void chineseMobileNumbersNormaliseToE164WhateverTheWriting(String national) {
        String e164 = "+86" + national;
        String spaced = national.substring(0, 3) + " " + national.substring(3, 7) + " " + national.substring(7);
        String dashed =
                "+86-" + national.substring(0, 3) + "-" + national.substring(3, 7) + "-" + national.substring(7);
        assertThat(Phones.normalizeMobile(national)).contains(e164);
        assertThat(Phones.normalizeMobile(spaced)).contains(e164);
        assertThat(Phones.normalizeMobile(dashed)).contains(e164);
        assertThat(Phones.normalizeMobile("0086" + national)).contains(e164);
        assertThat(Masking.phone(e164)).isEqualTo(national.substring(0, 3) + "****" + national.substring(7));
    }

    @Test
    void landlinesAndNonsenseAreNotMobileNumbers() {
        assertThat(Phones.normalizeMobile("021-62345678")).isEmpty();
        assertThat(Phones.normalizeMobile("12345")).isEmpty();
        assertThat(Phones.normalizeMobile("abc")).isEmpty();
        assertThat(Phones.normalizeMobile("")).isEmpty();
        assertThat(Phones.normalizeAny("021-62345678")).contains("+862162345678");
        assertThat(Phones.normalizeMobile("+852 6123 4567")).contains("+85261234567");
    }

    @Test
    void masksPhonesAndEmails() {
        assertThat(Masking.phone("+8613812341234")).isEqualTo("138****1234");
        assertThat(Masking.email("zhang.wei@example.com")).isEqualTo("z***@example.com");
        assertThat(Masking.phone(null)).isNull();
    }

    @Test
    void pinyinKeysForChineseAndMixedNames() {
        assertThat(Pinyin.of("王小明")).isEqualTo(new Pinyin.Keys("wangxiaoming", "wxm"));
        assertThat(Pinyin.of("曾志伟")).isEqualTo(new Pinyin.Keys("zengzhiwei", "zzw"));
        assertThat(Pinyin.of("单田芳").full()).startsWith("shan");
        assertThat(Pinyin.of("吕布").full()).isEqualTo("lvbu");
        assertThat(Pinyin.of("Anna 李")).isEqualTo(new Pinyin.Keys("annali", "al"));
        assertThat(Pinyin.isLatinQuery("wxm")).isTrue();
        assertThat(Pinyin.isLatinQuery("王")).isFalse();
    }

    @Test
    void unifiedSocialCreditCodesAreCheckedWithTheirCheckCharacter() {
        assertThat(ProfileRules.validTaxId("91350100M000100Y43")).isTrue();
        assertThat(ProfileRules.validTaxId("91350100M000100Y44")).isFalse();
        assertThat(ProfileRules.validTaxId("91350100M000100Y4")).isFalse();
    }
}
