package dev.patron.campaigns;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A campaign's results: the lift of recipients over the control group (overall and per channel when
 * there are several), the funnel, clicks per link, the cost and the ROI. Money in fen.
 */
public record CampaignResults(
        long campaignId,
        String name,
        CampaignStatus status,
        Instant windowStart,
        Instant windowEnd,
        Lift lift,
        Map<Channel, Lift> byChannel,
        Funnel funnel,
        List<LinkClicks> links,
        Cost cost,
        Double roi) {

    public record Funnel(
            long sent, long opened, long clicked, long unsubscribed, long bounced, long failed, long suppressed) {}

    public record LinkClicks(int linkNo, String url, long clicks, long members) {}

    public record Cost(long messagesFen, long pointsFen, long giftsFen, long otherFen, long totalFen) {}
}
