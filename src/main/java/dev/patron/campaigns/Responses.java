package dev.patron.campaigns;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * The response of a campaign from {@code sales.v_sale}: recipients (members outside the control
 * group with a SENT message) against the control group's members that were eligible when the
 * audience was frozen, over the attribution window from the start of sending. A responder bought at
 * least once in the window; sales per member are net of returns. Costs: messages at unit cost (SMS
 * per segment), bonus points at their cost, gifts handed out, other costs. ROI = (incremental sales
 * − cost) / cost, on sales, not margin.
 */
@Component
class Responses {

    private final JdbcClient jdbc;

    Responses(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    CampaignResults results(Campaign c, CampaignSettings s) {
        Instant start = c.startedAt();
        Instant end = start == null ? null : start.plus(Duration.ofDays(c.attributionDays()));
        Lift overall = Lift.of(sums(c.id(), start, end, null, false), sums(c.id(), start, end, null, true));
        Map<Channel, Lift> byChannel = new EnumMap<>(Channel.class);
        if (c.channels().size() > 1) {
            for (Channel ch : c.channels()) {
                byChannel.put(ch, Lift.of(sums(c.id(), start, end, ch, false), sums(c.id(), start, end, null, true)));
            }
        }
        CampaignResults.Funnel funnel = jdbc.sql("""
                select count(*) filter (where m.status = 'SENT'),
                       count(*) filter (where exists (select 1 from campaigns.tracking_event e where e.message_id = m.id and e.kind = 'OPEN')),
                       count(*) filter (where exists (select 1 from campaigns.tracking_event e where e.message_id = m.id and e.kind = 'CLICK')),
                       count(*) filter (where exists (select 1 from campaigns.tracking_event e where e.message_id = m.id and e.kind in ('UNSUBSCRIBE', 'REPLY_STOP'))),
                       count(*) filter (where exists (select 1 from campaigns.tracking_event e where e.message_id = m.id and e.kind in ('BOUNCE_HARD', 'BOUNCE_SOFT'))),
                       count(*) filter (where m.status in ('FAILED', 'UNKNOWN')),
                       count(*) filter (where m.status = 'SUPPRESSED')
                from campaigns.message m where m.campaign_id = ?""")
                .param(c.id())
                .query((rs, n) -> new CampaignResults.Funnel(
                        rs.getLong(1),
                        rs.getLong(2),
                        rs.getLong(3),
                        rs.getLong(4),
                        rs.getLong(5),
                        rs.getLong(6),
                        rs.getLong(7)))
                .single();
        List<CampaignResults.LinkClicks> links = jdbc.sql("""
                select l.link_no, l.url, count(e.id), count(distinct m.member_id)
                from campaigns.link l
                left join campaigns.message m on m.campaign_id = l.campaign_id
                left join campaigns.tracking_event e on e.message_id = m.id and e.kind = 'CLICK' and e.link_no = l.link_no
                where l.campaign_id = ?
                group by l.link_no, l.url order by l.link_no""")
                .param(c.id())
                .query((rs, n) ->
                        new CampaignResults.LinkClicks(rs.getInt(1), rs.getString(2), rs.getLong(3), rs.getLong(4)))
                .list();
        CampaignResults.Cost cost = cost(c, s);
        Double roi = cost.totalFen() == 0
                ? null
                : (double) (overall.incrementalSalesFen() - cost.totalFen()) / cost.totalFen();
        List<CampaignResults.CellLift> cells = new ArrayList<>(byCell(c.id(), start, end, null));
        if (c.channels().size() > 1) {
            for (Channel ch : c.channels()) {
                cells.addAll(byCell(c.id(), start, end, ch));
            }
        }
        return new CampaignResults(
                c.id(), c.name(), c.status(), start, end, overall, byChannel, funnel, links, cost, roi, cells);
    }

    private record CellKey(String r, String f) {}

    /**
     * Lift within each R×F lifecycle cell recorded at send time (ADR 0008: the cell came from
     * {@code segments.v_member_rfm}); only cells with members in both groups, in grid order.
     */
    List<CampaignResults.CellLift> byCell(long campaignId, Instant start, Instant end, Channel channel) {
        if (start == null) {
            return List.of();
        }
        String sent = "exists (select 1 from campaigns.message m where m.campaign_id = a.campaign_id"
                + " and m.member_id = a.member_id and m.status = 'SENT'"
                + (channel == null ? "" : " and m.channel = :channel") + ")";
        var q = jdbc.sql("""
                with grp as (
                  select a.member_id, a.r_band, a.f_band, a.control from campaigns.audience_member a
                  where a.campaign_id = :c and ((a.control and a.eligible) or (not a.control and SENT))),
                per as (
                  select g.member_id, g.r_band, g.f_band, g.control, coalesce(sum(s.total_fen), 0) as fen,
                         count(s.id) filter (where s.kind = 'SALE') > 0 as bought
                  from grp g
                  left join sales.v_sale s on s.member_id = g.member_id and s.occurred_at >= :start and s.occurred_at < :end
                  group by g.member_id, g.r_band, g.f_band, g.control)
                select r_band, f_band, control, count(*), count(*) filter (where bought), coalesce(sum(fen), 0),
                       coalesce(sum(fen::numeric * fen), 0)
                from per group by r_band, f_band, control""".replace("SENT", sent))
                .param("c", campaignId)
                .param("start", Timestamp.from(start))
                .param("end", Timestamp.from(end));
        if (channel != null) {
            q = q.param("channel", channel.name());
        }
        Map<CellKey, Lift.GroupSums[]> sums = new HashMap<>();
        q.query((rs, n) ->
                        sums.computeIfAbsent(new CellKey(rs.getString(1), rs.getString(2)), k -> new Lift.GroupSums[2])[
                                        rs.getBoolean(3) ? 1 : 0] =
                                new Lift.GroupSums(
                                        rs.getLong(4),
                                        rs.getLong(5),
                                        rs.getLong(6),
                                        rs.getBigDecimal(7).doubleValue()))
                .list();
        List<CampaignResults.CellLift> out = new ArrayList<>();
        sums.forEach((k, g) -> {
            if (g[0] != null && g[1] != null) {
                out.add(new CampaignResults.CellLift(k.r(), k.f(), channel, Lift.of(g[0], g[1])));
            }
        });
        out.sort(Comparator.comparingInt((CampaignResults.CellLift x) -> order(R_BANDS, x.rBand()))
                .thenComparingInt(x -> order(F_BANDS, x.fBand())));
        return out;
    }

    static final List<String> R_BANDS = List.of("ACTIVE", "SILENT", "SLEEPING", "LOST");
    static final List<String> F_BANDS = List.of("NEW", "SECOND", "OLD", "FAN");

    private static int order(List<String> bands, String band) {
        int i = band == null ? -1 : bands.indexOf(band);
        return i < 0 ? bands.size() : i;
    }

    private Lift.GroupSums sums(long campaignId, Instant start, Instant end, Channel channel, boolean control) {
        if (start == null) {
            return new Lift.GroupSums(0, 0, 0, 0);
        }
        String group = control
                ? "a.control and a.eligible"
                : "not a.control and exists (select 1 from campaigns.message m where m.campaign_id = a.campaign_id"
                        + " and m.member_id = a.member_id and m.status = 'SENT'"
                        + (channel == null ? "" : " and m.channel = :channel") + ")";
        var q = jdbc.sql("""
                with grp as (select a.member_id from campaigns.audience_member a where a.campaign_id = :c and (GROUP)),
                per as (
                  select g.member_id, coalesce(sum(s.total_fen), 0) as fen, count(s.id) filter (where s.kind = 'SALE') > 0 as bought
                  from grp g
                  left join sales.v_sale s on s.member_id = g.member_id and s.occurred_at >= :start and s.occurred_at < :end
                  group by g.member_id)
                select count(*), count(*) filter (where bought), coalesce(sum(fen), 0), coalesce(sum(fen::numeric * fen), 0)
                from per""".replace("GROUP", group))
                .param("c", campaignId)
                .param("start", Timestamp.from(start))
                .param("end", Timestamp.from(end));
        if (channel != null && !control) {
            q = q.param("channel", channel.name());
        }
        return q.query((rs, n) -> new Lift.GroupSums(
                        rs.getLong(1),
                        rs.getLong(2),
                        rs.getLong(3),
                        rs.getBigDecimal(4).doubleValue()))
                .single();
    }

    private CampaignResults.Cost cost(Campaign c, CampaignSettings s) {
        var sent = jdbc.sql("""
                select count(*) filter (where channel = 'EMAIL'), coalesce(sum(segments) filter (where channel = 'SMS'), 0),
                       count(distinct member_id)
                from campaigns.message where campaign_id = ? and status in ('SENT', 'UNKNOWN')""")
                .param(c.id())
                .query((rs, n) -> new long[] {rs.getLong(1), rs.getLong(2), rs.getLong(3)})
                .single();
        long messages = s.emailCostFen()
                .multiply(BigDecimal.valueOf(sent[0]))
                .add(s.smsCostFen().multiply(BigDecimal.valueOf(sent[1])))
                .setScale(0, RoundingMode.HALF_UP)
                .longValueExact();
        long points = s.pointCostFen()
                .multiply(BigDecimal.valueOf(c.bonusPoints()))
                .multiply(BigDecimal.valueOf(sent[2]))
                .setScale(0, RoundingMode.HALF_UP)
                .longValueExact();
        long gifts = Math.multiplyExact(c.giftCostFen(), (long) c.giftsHandedOut());
        long total = messages + points + gifts + c.otherCostFen();
        return new CampaignResults.Cost(messages, points, gifts, c.otherCostFen(), total);
    }
}
