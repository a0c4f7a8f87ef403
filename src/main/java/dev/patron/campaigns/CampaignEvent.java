package dev.patron.campaigns;

import java.time.Instant;
import java.util.UUID;

/**
 * Something happened with a campaign message, for other modules (published as an application event
 * in the transaction that recorded it; Spring Modulith's registry delivers it to
 * {@code @ApplicationModuleListener}s after commit, again after a crash) and for the configured
 * webhooks (delivered at least once). {@code eventId} is unique per event: receivers de-duplicate on
 * it. {@code linkNo} is set for CLICKED, {@code saleId} for RESPONDED.
 */
public record CampaignEvent(
        UUID eventId,
        Type type,
        long campaignId,
        long memberId,
        Long messageId,
        Channel channel,
        Instant occurredAt,
        Integer linkNo,
        Long saleId) {

    public enum Type {
        SENT,
        OPENED,
        CLICKED,
        RESPONDED,
        UNSUBSCRIBED
    }

    static CampaignEvent of(Type type, long campaignId, long memberId, Long messageId, Channel channel, Instant at) {
        return new CampaignEvent(UUID.randomUUID(), type, campaignId, memberId, messageId, channel, at, null, null);
    }
}
