package dev.patron.campaigns;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A campaign's results: the lift of recipients over the control group (overall and per channel when
 * there are several) and per R×F lifecycle cell at send time (overall and per channel), the funnel, clicks per link, the cost and the ROI. Money in fen.
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
        Double roi,
        List<CellLift> bySegmentCell) {

    /**
     * Recipients vs control within one R×F lifecycle cell (the member's cell when sending started;
     * both bands null = not scored) and, when {@code channel} is set, only recipients of that channel.
     */
    public record CellLift(String rBand, String fBand, Channel channel, Lift lift) {}

    public record Funnel(
            long sent, long opened, long clicked, long unsubscribed, long bounced, long failed, long suppressed) {}

    public record LinkClicks(int linkNo, String url, long clicks, long members) {}

    public record Cost(long messagesFen, long pointsFen, long giftsFen, long otherFen, long totalFen) {}
}
