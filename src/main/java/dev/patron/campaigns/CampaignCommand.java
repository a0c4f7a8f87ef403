package dev.patron.campaigns;

import io.swagger.v3.oas.annotations.media.Schema;
import java.time.LocalDate;
import java.util.List;
import java.util.Set;

/** What a marketer plans: everything of a campaign that can be edited while it is a draft. */
@Schema(description = "A campaign draft")
public record CampaignCommand(
        @Schema(example = "双十二会员回馈", requiredMode = Schema.RequiredMode.REQUIRED)
        String name,

        @Schema(example = "MALL_WIDE", requiredMode = Schema.RequiredMode.REQUIRED)
        CampaignKind kind,

        @Schema(example = "唤醒沉睡会员，带动 12 月销售") String goal,

        @Schema(description = "Required for BRAND campaigns")
        String brandCode,

        @Schema(requiredMode = Schema.RequiredMode.REQUIRED) LocalDate periodStart,
        @Schema(requiredMode = Schema.RequiredMode.REQUIRED) LocalDate periodEnd,

        @Schema(description = "Budget in fen", example = "500000")
        Long budgetFen,

        @Schema(description = "Other costs (staff, material) in fen", example = "20000")
        Long otherCostFen,

        @Schema(requiredMode = Schema.RequiredMode.REQUIRED) Set<Channel> channels,

        @Schema(description = "Control group percentage, 0–50 (default 10)", example = "10")
        Integer controlPct,

        @Schema(description = "Attribution window in days, 1–90 (default 14)", example = "14")
        Integer attributionDays,

        @Schema(description = "Bonus points credited to each recipient when the message is sent", example = "200")
        Long bonusPoints,

        @Schema(description = "Gift handed out to responders at the desk")
        String giftName,

        @Schema(description = "Cost of one gift in fen") Long giftCostFen,
        List<TemplateText> templates) {}
