package dev.patron.campaigns;

import dev.patron.sales.RecordedSale;
import dev.patron.sales.SaleKind;
import dev.patron.sales.SalesFeedConsumer;
import dev.patron.sales.SalesRecorded;
import java.util.List;
import java.util.UUID;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * A recipient who buys within a campaign's attribution window responded: recorded once per campaign
 * and member ({@code campaigns.response}) and published as a RESPONDED {@link CampaignEvent} (so the
 * webhooks get it too). Idempotent per campaign and member, as the sales feed may deliver a batch again after a crash.
 * Control-group members are measured in the results but are not "responders" to a message.
 */
@Component
class Responders implements SalesFeedConsumer {

    private final JdbcClient jdbc;
    private final ApplicationEventPublisher events;

    Responders(JdbcClient jdbc, ApplicationEventPublisher events) {
        this.jdbc = jdbc;
        this.events = events;
    }

    /**
     * One set-based statement per event (an import chunk lists many tickets): every SALE of a member
     * after a SENT message of a campaign whose attribution window contains it; the first such sale per
     * campaign and member is kept, later ones (and redeliveries) change nothing.
     */
    @Override
    public String feedName() {
        return "campaigns.responses";
    }

    /** From the sales feed, in its transaction: the batch as one event. */
    @Override
    public void onSales(List<SalesRecorded> events) {
        on(SalesRecorded.merge(events));
    }

    void on(SalesRecorded e) {
        List<RecordedSale> sales = e.sales().stream()
                .filter(s -> s.memberId() != null && s.kind() == SaleKind.SALE)
                .toList();
        if (sales.isEmpty()) {
            return;
        }
        Long[] saleIds = sales.stream().map(RecordedSale::saleId).toArray(Long[]::new);
        Long[] memberIds = sales.stream().map(RecordedSale::memberId).toArray(Long[]::new);
        Long[] millis = sales.stream()
                .map(s -> s.occurredAt().toInstant().toEpochMilli())
                .toArray(Long[]::new);
        jdbc.sql("""
                with s as (
                  select x.sale_id, x.member_id, to_timestamp(x.ms / 1000.0) as at
                  from unnest(?::bigint[], ?::bigint[], ?::bigint[]) as x(sale_id, member_id, ms)),
                hits as (
                  select distinct on (m.campaign_id, s.member_id) m.campaign_id, s.member_id, s.sale_id, s.at, m.id, m.channel
                  from s
                  join campaigns.message m on m.member_id = s.member_id and m.status = 'SENT' and m.sent_at <= s.at
                  join campaigns.campaign c on c.id = m.campaign_id and c.started_at <= s.at
                   and s.at < c.started_at + make_interval(days => c.attribution_days)
                  order by m.campaign_id, s.member_id, s.at, m.sent_at)
                insert into campaigns.response (campaign_id, member_id, sale_id, at, message_id, channel)
                select * from hits
                on conflict do nothing
                returning campaign_id, member_id, sale_id, at, message_id, channel""")
                .params(saleIds, memberIds, millis)
                .query((rs, n) -> new CampaignEvent(
                        UUID.randomUUID(),
                        CampaignEvent.Type.RESPONDED,
                        rs.getLong(1),
                        rs.getLong(2),
                        rs.getLong(5),
                        Channel.valueOf(rs.getString(6)),
                        rs.getTimestamp(4).toInstant(),
                        null,
                        rs.getLong(3)))
                .list()
                .forEach(events::publishEvent);
    }
}
