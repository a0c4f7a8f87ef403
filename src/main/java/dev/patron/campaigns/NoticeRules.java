package dev.patron.campaigns;

import dev.patron.shared.web.PatronException;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * MKT-09: service notices (card balance changes, closure notices) must not carry marketing content,
 * and the template type must fit the campaign: NOTICE templates only in NOTICE campaigns, MARKETING
 * templates only in marketing ones; verification codes are not campaigns. Marketing content is
 * recognised by configurable lists — words ({@code patron.campaigns.notice.marketing-words}) and
 * link fragments ({@code patron.campaigns.notice.marketing-links}, by default our tracked
 * {@code {link:…}} and promotion paths) — compared after NFKC and lower-casing, so full-width or
 * upper-case spellings are caught too.
 */
@Component
class NoticeRules {

    private final List<String> words;
    private final List<String> links;

    /** Default marketing words (Chinese and English), used when the property is not set. */
    static final String DEFAULT_WORDS =
            "优惠,折扣,促销,特价,特惠,满减,抢购,限时,秒杀,领券,优惠券,红包,返现,赠品,大促,上新,会员日," + "sale,discount,promo,coupon,offer,% off";

    /** Default marketing link fragments: our tracked links and common promotion paths. */
    static final String DEFAULT_LINKS = "{link:,/promo,/sale,/coupon,utm_";

    NoticeRules(
            @Value("${patron.campaigns.notice.marketing-words:}") String words,
            @Value("${patron.campaigns.notice.marketing-links:}") String links) {
        this.words = list(words == null || words.isBlank() ? DEFAULT_WORDS : words);
        this.links = list(links == null || links.isBlank() ? DEFAULT_LINKS : links);
    }

    private static List<String> list(String csv) {
        return Arrays.stream(csv.split(","))
                .map(NoticeRules::normalise)
                .filter(s -> !s.isBlank())
                .toList();
    }

    static String normalise(String s) {
        return s == null
                ? ""
                : Normalizer.normalize(s, Normalizer.Form.NFKC)
                        .toLowerCase(Locale.ROOT)
                        .strip();
    }

    /** The template type a campaign of this kind uses when the template names none. */
    static TemplateType defaultType(CampaignKind kind) {
        return kind == CampaignKind.NOTICE ? TemplateType.NOTICE : TemplateType.MARKETING;
    }

    /**
     * 400 naming {@code templates[i].type} when the type does not fit the campaign kind, or
     * {@code templates[i].subject|body|html} when a notice contains a marketing word or link.
     */
    void check(CampaignKind kind, int index, TemplateText t, TemplateType type) {
        String prefix = "templates[" + index + "].";
        if (type == TemplateType.VERIFICATION) {
            throw PatronException.invalid(prefix + "type", "campaigns.notice.verification");
        }
        if (kind != null && type != defaultType(kind)) {
            throw PatronException.invalid(
                    prefix + "type",
                    kind.marketing() ? "campaigns.notice.notInMarketing" : "campaigns.notice.onlyNotices");
        }
        if (type != TemplateType.NOTICE) {
            return;
        }
        List<PatronException.FieldError> errors = new ArrayList<>();
        field(errors, prefix + "subject", t.subject());
        field(errors, prefix + "body", t.body());
        field(errors, prefix + "html", t.html());
        if (!errors.isEmpty()) {
            throw new PatronException(org.springframework.http.HttpStatus.BAD_REQUEST, errors, "error.validation");
        }
    }

    private void field(List<PatronException.FieldError> errors, String field, String text) {
        String n = normalise(text);
        if (n.isEmpty()) {
            return;
        }
        for (String w : words) {
            if (n.contains(w)) {
                errors.add(new PatronException.FieldError(field, "campaigns.notice.marketingWord", w));
                return;
            }
        }
        for (String l : links) {
            if (n.contains(l)) {
                errors.add(new PatronException.FieldError(field, "campaigns.notice.marketingLink", l));
                return;
            }
        }
    }
}
