package dev.patron.members;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

/** Card check digits, phone normalisation, masking, pinyin keys and tax ids, without Spring. */
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

    @Property
    void generatedNumbersHaveThePrefixLengthAndAValidCheckDigit(@ForAll @LongRange(min = 1, max = 99_999_999_999L) long serial) {
        String n = CardNumbers.generate(CARDS, serial);
        assertThat(n).hasSize(16).startsWith("8860").containsOnlyDigits();
        assertThat(CardNumbers.acceptable(CARDS, n)).isTrue();
    }

    @Property
    void anySingleMistypedDigitIsCaught(@ForAll @LongRange(min = 1, max = 99_999_999_999L) long serial,
            @ForAll @IntRange(min = 0, max = 15) int position, @ForAll @IntRange(min = 1, max = 9) int delta) {
        String n = CardNumbers.generate(CARDS, serial);
        char[] c = n.toCharArray();
        c[position] = (char) ('0' + (c[position] - '0' + delta) % 10);
        assertThat(CardNumbers.acceptable(CARDS, new String(c))).isFalse();
    }

    @Property
    void swappingTwoAdjacentDifferentDigitsIsCaughtExceptNineAndZero(@ForAll @LongRange(min = 1, max = 99_999_999_999L) long serial,
            @ForAll @IntRange(min = 0, max = 14) int position) {
        String n = CardNumbers.generate(CARDS, serial);
        char a = n.charAt(position);
        char b = n.charAt(position + 1);
        if (a == b || (a == '0' && b == '9') || (a == '9' && b == '0')) {
            return;
        }
        String swapped = n.substring(0, position) + b + a + n.substring(position + 2);
        assertThat(CardNumbers.acceptable(CARDS, swapped)).isFalse();
    }

    @Test
    void cardNumbersOfTheWrongLengthOrWithoutCheckDigitAreRefused() {
        assertThat(CardNumbers.acceptable(CARDS, "8860000000001")).isFalse();
        assertThat(CardNumbers.acceptable(new MembersProperties.Cards("77", 10, false), "7700000001")).isTrue();
    }

    @Property
    void chineseMobileNumbersNormaliseToE164WhateverTheWriting(@ForAll("mobiles") String national) {
        String e164 = "+86" + national;
        String spaced = national.substring(0, 3) + " " + national.substring(3, 7) + " " + national.substring(7);
        String dashed = "+86-" + national.substring(0, 3) + "-" + national.substring(3, 7) + "-" + national.substring(7);
        assertThat(Phones.normalizeMobile(national)).contains(e164);
        assertThat(Phones.normalizeMobile(spaced)).contains(e164);
        assertThat(Phones.normalizeMobile(dashed)).contains(e164);
        assertThat(Phones.normalizeMobile("0086" + national)).contains(e164);
        assertThat(Masking.phone(e164)).isEqualTo(national.substring(0, 3) + "****" + national.substring(7));
    }

    @Provide
    Arbitrary<String> mobiles() {
        Arbitrary<String> prefix = Arbitraries.of("138", "139", "150", "151", "186", "187", "177", "199", "135", "182");
        Arbitrary<String> rest = Arbitraries.strings().numeric().ofLength(8);
        return prefix.flatMap(p -> rest.map(r -> p + r));
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
