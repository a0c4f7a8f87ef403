package dev.patron.members;

import java.util.Locale;
import java.util.Map;
import net.sourceforge.pinyin4j.PinyinHelper;
import net.sourceforge.pinyin4j.format.HanyuPinyinCaseType;
import net.sourceforge.pinyin4j.format.HanyuPinyinOutputFormat;
import net.sourceforge.pinyin4j.format.HanyuPinyinToneType;
import net.sourceforge.pinyin4j.format.HanyuPinyinVCharType;
import net.sourceforge.pinyin4j.format.exception.BadHanyuPinyinOutputFormatCombination;

/**
 * Search keys for Chinese names: full pinyin without tones ({@code 王小明 → wangxiaoming}) and
 * initials ({@code wxm}), so staff can type either on a Latin keyboard. Latin letters and digits
 * are kept (lower-cased); other characters are dropped. A character with several readings takes
 * the first, except for the first character of a name, where common surname readings win
 * (曾 zeng, 单 shan, 解 xie …).
 */
final class Pinyin {

    /** Surnames whose everyday reading differs from pinyin4j's first reading. */
    private static final Map<Character, String> SURNAMES = Map.ofEntries(
            Map.entry('曾', "zeng"),
            Map.entry('单', "shan"),
            Map.entry('解', "xie"),
            Map.entry('仇', "qiu"),
            Map.entry('朴', "piao"),
            Map.entry('区', "ou"),
            Map.entry('查', "zha"),
            Map.entry('覃', "qin"),
            Map.entry('盖', "ge"),
            Map.entry('乐', "yue"),
            Map.entry('翟', "zhai"),
            Map.entry('缪', "miao"),
            Map.entry('尉', "yu"),
            Map.entry('秘', "bi"),
            Map.entry('长', "chang"),
            Map.entry('重', "chong"),
            Map.entry('万', "wan"),
            Map.entry('沈', "shen"),
            Map.entry('贾', "jia"),
            Map.entry('柏', "bai"),
            Map.entry('薄', "bo"),
            Map.entry('宁', "ning"),
            Map.entry('任', "ren"),
            Map.entry('华', "hua"),
            Map.entry('黑', "he"),
            Map.entry('藏', "zang"),
            Map.entry('种', "chong"),
            Map.entry('繁', "po"));

    private static final HanyuPinyinOutputFormat FORMAT = new HanyuPinyinOutputFormat();

    static {
        FORMAT.setToneType(HanyuPinyinToneType.WITHOUT_TONE);
        FORMAT.setVCharType(HanyuPinyinVCharType.WITH_V);
        FORMAT.setCaseType(HanyuPinyinCaseType.LOWERCASE);
    }

    record Keys(String full, String initials) {}

    private Pinyin() {}

    static Keys of(String name) {
        StringBuilder full = new StringBuilder();
        StringBuilder initials = new StringBuilder();
        if (name == null) {
            return new Keys("", "");
        }
        String s = name.trim();
        boolean first = true;
        boolean inLatinWord = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            String syllable = first ? SURNAMES.get(c) : null;
            if (syllable == null && Character.UnicodeScript.of(c) == Character.UnicodeScript.HAN) {
                syllable = reading(c);
            }
            if (syllable != null) {
                full.append(syllable);
                initials.append(syllable.charAt(0));
                inLatinWord = false;
                first = false;
            } else if (Character.isLetterOrDigit(c) && c < 128) {
                char lower = Character.toLowerCase(c);
                full.append(lower);
                if (!inLatinWord) {
                    initials.append(lower);
                }
                inLatinWord = true;
                first = false;
            } else {
                inLatinWord = false;
            }
        }
        return new Keys(full.toString(), initials.toString());
    }

    /** Whether a search term looks like pinyin or initials (Latin letters only). */
    static boolean isLatinQuery(String q) {
        return !q.isEmpty() && q.chars().allMatch(c -> (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == ' ');
    }

    static String normalizeQuery(String q) {
        return q.replace(" ", "").toLowerCase(Locale.ROOT);
    }

    private static String reading(char c) {
        try {
            String[] readings = PinyinHelper.toHanyuPinyinStringArray(c, FORMAT);
            return readings == null || readings.length == 0 ? null : readings[0];
        } catch (BadHanyuPinyinOutputFormatCombination e) {
            throw new IllegalStateException(e);
        }
    }
}
