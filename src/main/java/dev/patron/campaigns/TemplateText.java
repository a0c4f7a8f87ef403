package dev.patron.campaigns;

import io.swagger.v3.oas.annotations.media.Schema;

/**
 * A message text of one channel in one language with personalisation variables {@code {name}},
 * {@code {tier}}, {@code {points}}, {@code {expiring_points}}, {@code {store}} and {@code
 * {link:https://…}} (a tracked link). E-mail has a subject, a text body and optionally HTML; SMS has
 * the body only (signature and "回T退订" are added when sending).
 */
@Schema(description = "A message template of one channel and language")
public record TemplateText(
        @Schema(example = "EMAIL") Channel channel,
        @Schema(example = "zh") String lang,
        @Schema(example = "{name}，您的{points}积分本月可兑换礼品") String subject,

        @Schema(example = "亲爱的{name}：您是{tier}会员，{link:https://shop.example.com/gifts}")
        String body,

        String html,

        @Schema(
                description = "MARKETING (default) for marketing campaigns, NOTICE for NOTICE campaigns;"
                        + " VERIFICATION is not sent by campaigns (MKT-09)",
                example = "MARKETING")
        TemplateType type) {

    /** The type, MARKETING when not given. */
    public TemplateType typeOrDefault() {
        return type == null ? TemplateType.MARKETING : type;
    }
}
