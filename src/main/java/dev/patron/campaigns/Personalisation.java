package dev.patron.campaigns;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.springframework.web.util.HtmlUtils;

/**
 * The personalisation variables of templates: {@code {name}}, {@code {tier}}, {@code {points}},
 * {@code {expiring_points}}, {@code {store}} and {@code {link:URL}} (replaced by a tracked link).
 * Unknown variables are reported, so approval can refuse them with the reason.
 */
final class Personalisation {

    static final Set<String> VARIABLES = Set.of("name", "tier", "points", "expiring_points", "store", "link");
    private static final Pattern VARIABLE = Pattern.compile("\\{([^{}:]*)(?::([^{}]*))?}");

    private Personalisation() {}

    /** What the variables stand for, for one member. */
    record MemberData(
            long memberId,
            String name,
            String email,
            String phone,
            java.time.LocalDate birthday,
            String status,
            String tierZh,
            String tierEn,
            long points,
            long expiringPoints,
            String store,
            String timeZone) {

        static MemberData sample() {
            return new MemberData(0, "王芳", null, null, null, "ACTIVE", "金卡", "Gold", 2680, 300, "阳光百货南京路店", null);
        }
    }

    /** Variables that do not exist or links that are not http(s) URLs, e.g. {@code {nmae}}. */
    static List<String> problems(String text) {
        List<String> problems = new ArrayList<>();
        if (text == null) {
            return problems;
        }
        Matcher m = VARIABLE.matcher(text);
        while (m.find()) {
            String var = m.group(1).strip();
            if (!VARIABLES.contains(var)) {
                problems.add(m.group());
            } else if (var.equals("link")) {
                String url = m.group(2) == null ? "" : m.group(2).strip();
                if (!(url.startsWith("https://") || url.startsWith("http://")) || url.contains(" ")) {
                    problems.add(m.group());
                }
            } else if (m.group(2) != null) {
                problems.add(m.group());
            }
        }
        return problems;
    }

    /** The link URLs in order of first appearance. */
    static Set<String> links(String text) {
        Set<String> urls = new LinkedHashSet<>();
        if (text == null) {
            return urls;
        }
        Matcher m = VARIABLE.matcher(text);
        while (m.find()) {
            if ("link".equals(m.group(1).strip()) && m.group(2) != null) {
                urls.add(m.group(2).strip());
            }
        }
        return urls;
    }

    /**
     * Replaces the variables; {@code html} escapes the member's values for an HTML body. Links go
     * through {@code link} (URL → tracked URL).
     */
    static String render(String text, MemberData d, String lang, boolean html, Function<String, String> link) {
        if (text == null) {
            return null;
        }
        Matcher m = VARIABLE.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String var = m.group(1).strip();
            String value = switch (var) {
                case "name" -> d.name();
                case "tier" -> "en".equals(lang) ? d.tierEn() : d.tierZh();
                case "points" -> String.valueOf(d.points());
                case "expiring_points" -> String.valueOf(d.expiringPoints());
                case "store" -> d.store() == null ? "" : d.store();
                case "link" -> m.group(2) == null ? "" : link.apply(m.group(2).strip());
                default -> m.group();
            };
            if (value == null) {
                value = "";
            }
            if (html && !var.equals("link")) {
                value = HtmlUtils.htmlEscape(value);
            }
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        m.appendTail(out);
        return out.toString();
    }
}
