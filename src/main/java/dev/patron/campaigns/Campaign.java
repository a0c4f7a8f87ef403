package dev.patron.campaigns;

import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Set;

/** A campaign as read back: the plan, its state, the lifecycle steps and the audience size. */
public record Campaign(
        long id,
        String name,
        CampaignKind kind,
        String goal,
        String brandCode,
        String owner,
        LocalDate periodStart,
        LocalDate periodEnd,
        long budgetFen,
        long otherCostFen,
        Set<Channel> channels,
        int controlPct,
        int attributionDays,
        Audience.AudienceKind audienceKind,
        long bonusPoints,
        String giftName,
        long giftCostFen,
        int giftsHandedOut,
        CampaignStatus status,
        Long sourceCampaignId,
        String submittedBy,
        String approvedBy,
        Instant sendAt,
        Instant frozenAt,
        Instant startedAt,
        Instant finishedAt,
        long audienceSize,
        long controlSize,
        List<TemplateText> templates,
        List<Step> steps) {

    /** One lifecycle step. */
    public record Step(CampaignStatus from, CampaignStatus to, String actor, Instant at, String comment) {}

    public boolean editable() {
        return status == CampaignStatus.DRAFT;
    }

    public TemplateText template(Channel channel, String lang) {
        return templates.stream()
                .filter(t -> t.channel() == channel && t.lang().equals(lang))
                .findFirst()
                .orElse(null);
    }
}
