package dev.patron.campaigns;

import dev.patron.sales.RecordedSale;
import dev.patron.sales.SaleKind;
import dev.patron.sales.SalesRecorded;
import java.sql.Timestamp;
import java.util.List;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.modulith.events.ApplicationModuleListener;
import org.springframework.stereotype.Component;

/**
 * A recipient who buys within a campaign's attribution window responded: recorded once per campaign
 * and member ({@code campaigns.response}) and published as a RESPONDED {@link CampaignEvent} (so the
 * webhooks get it too). Idempotent per campaign and member, as SalesRecorded may be delivered again.
 * Control-group members are measured in the results but are not "responders" to a message.
 */
@Component
class Responders {

    private final JdbcClient jdbc;
    private final ApplicationEventPublisher events;

    Responders(JdbcClient jdbc, ApplicationEventPublisher events) {
        this.jdbc = jdbc;
        this.events = events;
    }

    private record Hit(long campaignId, long memberId, long messageId, Channel channel) {}

    @ApplicationModuleListener
    void on(SalesRecorded e) {
        for (RecordedSale s : e.sales()) {
            if (s.memberId() == null || s.kind() != SaleKind.SALE) {
                continue;
            }
            Timestamp at = Timestamp.from(s.occurredAt().toInstant());
            List<Hit> hits = jdbc.sql("""
                    select distinct on (c.id) c.id, m.member_id, m.id, m.channel
                    from campaigns.message m join campaigns.campaign c on c.id = m.campaign_id
                    where m.member_id = ? and m.status = 'SENT' and m.sent_at <= ? and c.started_at <= ?
                      and ? < c.started_at + make_interval(days => c.attribution_days)
                    order by c.id, m.sent_at""")
                    .params(s.memberId(), at, at, at)
                    .query((rs, n) ->
                            new Hit(rs.getLong(1), rs.getLong(2), rs.getLong(3), Channel.valueOf(rs.getString(4))))
                    .list();
            for (Hit h : hits) {
                int inserted = jdbc.sql("""
                        insert into campaigns.response (campaign_id, member_id, sale_id, at) values (?, ?, ?, ?)
                        on conflict do nothing""")
                        .params(h.campaignId(), h.memberId(), s.saleId(), at)
                        .update();
                if (inserted == 1) {
                    events.publishEvent(new CampaignEvent(
                            java.util.UUID.randomUUID(),
                            CampaignEvent.Type.RESPONDED,
                            h.campaignId(),
                            h.memberId(),
                            h.messageId(),
                            h.channel(),
                            s.occurredAt().toInstant(),
                            null,
                            s.saleId()));
                }
            }
        }
    }
}
