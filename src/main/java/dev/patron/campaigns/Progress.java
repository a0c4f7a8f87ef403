package dev.patron.campaigns;

import java.util.List;
import java.util.Map;

/** Sending progress of a campaign: messages per channel and state, and each channel's pause state. */
public record Progress(
        long campaignId, CampaignStatus status, List<ChannelProgress> channels, Map<String, Long> suppressedByReason) {

    public record ChannelProgress(
            Channel channel,
            long total,
            long pending,
            long sending,
            long sent,
            long failed,
            long unknown,
            long suppressed,
            boolean paused,
            String error) {
        public int percentDone() {
            long live = total - suppressed;
            return live == 0 ? 100 : (int) ((sent + failed + unknown) * 100 / live);
        }
    }
}
