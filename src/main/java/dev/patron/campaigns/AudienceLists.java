package dev.patron.campaigns;

import com.google.i18n.phonenumbers.NumberParseException;
import com.google.i18n.phonenumbers.PhoneNumberUtil;
import com.google.i18n.phonenumbers.Phonenumber.PhoneNumber;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Static audience lists: each uploaded line is read as a member id ({@code M123}, {@code id:123}), a
 * mobile number or a card number, and resolved set-based against {@code members.v_member} and
 * {@code members.v_identifier} (merged members resolve to the member they were merged into). The row
 * report keeps every line with its member or problem. Freezing draws the control group and records
 * who is eligible (marketing consent on one of the campaign's channels and an address for it, and
 * — when the campaign's target is personal — personalisation not switched off, MKT-16).
 */
@Component
class AudienceLists {

    static final int MAX_ROWS = 1_000_000;
    private static final PhoneNumberUtil PHONES = PhoneNumberUtil.getInstance();

    private final JdbcClient jdbc;
    private final JdbcTemplate batch;
    private final dev.patron.segments.Segments segments;

    AudienceLists(JdbcClient jdbc, JdbcTemplate batch, dev.patron.segments.Segments segments) {
        this.jdbc = jdbc;
        this.batch = batch;
        this.segments = segments;
    }

    /**
     * Replaces the draft's audience with the members of a segment snapshot (a frozen list taken in
     * the segments module; 404 for an unknown one), streamed in chunks so any size fits in memory.
     */
    Audience.Report replaceFromSnapshot(long campaignId, long snapshotId) {
        segments.snapshotInfo(snapshotId); // exists, and the caller may read segments
        boolean personal = segments.snapshotIsPersonal(snapshotId); // MKT-16
        jdbc.sql("delete from campaigns.audience_upload where campaign_id = ?")
                .param(campaignId)
                .update();
        jdbc.sql("delete from campaigns.audience_member where campaign_id = ?")
                .param(campaignId)
                .update();
        List<Object[]> chunk = new ArrayList<>();
        segments.forEachSnapshotMember(snapshotId, memberId -> {
            chunk.add(new Object[] {campaignId, memberId});
            if (chunk.size() == 10_000) {
                batch.batchUpdate(
                        "insert into campaigns.audience_member (campaign_id, member_id) values (?, ?)", chunk);
                chunk.clear();
            }
        });
        batch.batchUpdate("insert into campaigns.audience_member (campaign_id, member_id) values (?, ?)", chunk);
        jdbc.sql(
                        "update campaigns.campaign set audience_kind = 'SEGMENT_SNAPSHOT', audience_snapshot_id = ?, personal_target = ? where id = ?")
                .params(snapshotId, personal, campaignId)
                .update();
        return report(campaignId);
    }

    Audience.Report replace(long campaignId, List<String> entries) {
        jdbc.sql(
                        "update campaigns.campaign set audience_kind = 'STATIC_LIST', audience_snapshot_id = null, personal_target = false where id = ?")
                .param(campaignId)
                .update();
        jdbc.sql("delete from campaigns.audience_upload where campaign_id = ?")
                .param(campaignId)
                .update();
        jdbc.sql("delete from campaigns.audience_member where campaign_id = ?")
                .param(campaignId)
                .update();
        List<Object[]> rows = new ArrayList<>();
        int line = 0;
        for (String e : entries) {
            line++;
            String raw = e == null ? "" : e.strip();
            if (raw.isEmpty()) {
                continue;
            }
            String[] read = read(raw);
            rows.add(new Object[] {campaignId, line, raw.length() > 200 ? raw.substring(0, 200) : raw, read[0], read[1]
            });
        }
        batch.batchUpdate(
                "insert into campaigns.audience_upload (campaign_id, line_no, raw, kind, key) values (?, ?, ?, ?, ?)",
                rows);
        jdbc.sql("""
                update campaigns.audience_upload u set member_id = r.id
                from (
                  select u.line_no, coalesce(m.merged_into, m.id) as id
                  from campaigns.audience_upload u
                  join members.v_member m on m.id = u.key::bigint
                  where u.campaign_id = :c and u.kind = 'MEMBER_ID'
                  union all
                  select u.line_no, min(m.id)
                  from campaigns.audience_upload u
                  join members.v_member m on m.phone = u.key and m.status = 'ACTIVE'
                  where u.campaign_id = :c and u.kind = 'PHONE'
                  group by u.line_no having count(*) = 1
                  union all
                  select u.line_no, coalesce(m.merged_into, m.id)
                  from campaigns.audience_upload u
                  join members.v_identifier i on i.kind = 'CARD' and i.value = u.key
                  join members.v_member m on m.id = i.member_id
                  where u.campaign_id = :c and u.kind = 'CARD') r
                where u.campaign_id = :c and u.line_no = r.line_no""").param("c", campaignId).update();
        jdbc.sql("""
                update campaigns.audience_upload u set problem = case
                    when u.kind = 'INVALID' then 'UNREADABLE'
                    when u.kind = 'PHONE' and (select count(*) from members.v_member m
                                               where m.phone = u.key and m.status = 'ACTIVE') > 1 then 'AMBIGUOUS_PHONE'
                    else 'NOT_FOUND' end
                where u.campaign_id = ? and u.member_id is null""").param(campaignId).update();
        jdbc.sql("""
                update campaigns.audience_upload u set problem = 'INACTIVE', member_id = null
                from members.v_member m
                where u.campaign_id = ? and m.id = u.member_id and m.status <> 'ACTIVE'""").param(campaignId).update();
        jdbc.sql("""
                update campaigns.audience_upload u set problem = 'DUPLICATE'
                from (select line_no, row_number() over (partition by member_id order by line_no) as n
                      from campaigns.audience_upload where campaign_id = :c and member_id is not null) d
                where u.campaign_id = :c and u.line_no = d.line_no and d.n > 1""").param("c", campaignId).update();
        jdbc.sql("""
                insert into campaigns.audience_member (campaign_id, member_id)
                select distinct campaign_id, member_id from campaigns.audience_upload
                where campaign_id = ? and member_id is not null and problem is null""").param(campaignId).update();
        return report(campaignId);
    }

    /** [kind, key] of one line. */
    static String[] read(String raw) {
        String s = raw.strip();
        String lower = s.toLowerCase(Locale.ROOT);
        String id = lower.startsWith("id:")
                ? lower.substring(3).strip()
                : lower.startsWith("m") ? lower.substring(1) : null;
        if (id != null && id.matches("[0-9]{1,18}")) {
            return new String[] {"MEMBER_ID", id};
        }
        String digits = s.replaceAll("[\\s-]", "");
        if (digits.matches("\\+?[0-9]{11,15}") && (digits.startsWith("+") || digits.startsWith("1"))) {
            try {
                PhoneNumber n = PHONES.parse(digits, "CN");
                if (PHONES.isValidNumber(n)) {
                    return new String[] {"PHONE", PHONES.format(n, PhoneNumberUtil.PhoneNumberFormat.E164)};
                }
            } catch (NumberParseException e) {
                // not a phone: read as a card number below
            }
        }
        if (s.matches("[A-Za-z0-9-]{4,40}")) {
            return new String[] {"CARD", s.toUpperCase(Locale.ROOT)};
        }
        return new String[] {"INVALID", null};
    }

    Audience.Report report(long campaignId) {
        var counts = jdbc.sql("""
                select count(*), count(*) filter (where problem is not null),
                       (select count(*) from campaigns.audience_member where campaign_id = :c)
                from campaigns.audience_upload where campaign_id = :c""")
                .param("c", campaignId)
                .query((rs, n) -> new long[] {rs.getLong(1), rs.getLong(2), rs.getLong(3)})
                .single();
        List<Audience.Row> problems = jdbc.sql("""
                select line_no, raw, kind, member_id, problem from campaigns.audience_upload
                where campaign_id = ? and problem is not null order by line_no limit 200""")
                .param(campaignId)
                .query((rs, n) -> new Audience.Row(
                        rs.getInt(1), rs.getString(2), rs.getString(3), (Long) rs.getObject(4), rs.getString(5)))
                .list();
        // MKT-16: how many audience members switched personalisation off, and whether the target is
        // personal (then they are left out at approval and at send time with NO_PERSONALISATION)
        Object[] personal = jdbc.sql("""
                select c.personal_target,
                       (select count(*) from campaigns.audience_member a join members.v_member m on m.id = a.member_id
                        where a.campaign_id = c.id and m.no_personalisation)
                from campaigns.campaign c where c.id = ?""")
                .param(campaignId)
                .query((rs, n) -> new Object[] {rs.getBoolean(1), rs.getLong(2)})
                .optional()
                .orElse(new Object[] {false, 0L});
        return new Audience.Report(
                (int) counts[0],
                (int) counts[2],
                (int) counts[1],
                problems,
                (Boolean) personal[0],
                ((Long) personal[1]).intValue());
    }

    void copy(long from, long to) {
        jdbc.sql("""
                insert into campaigns.audience_upload (campaign_id, line_no, raw, kind, key, member_id, problem)
                select ?, line_no, raw, kind, key, member_id, problem from campaigns.audience_upload where campaign_id = ?""").params(to, from).update();
        jdbc.sql("""
                insert into campaigns.audience_member (campaign_id, member_id)
                select ?, member_id from campaigns.audience_member where campaign_id = ?""").params(to, from).update();
    }

    /**
     * Draws the control group: members ordered by md5(seed:member id), the first round(n × pct / 100)
     * are control, so the same campaign always draws the same group. Records eligibility for both
     * groups (the control group's eligible members are the comparison group of the results). Returns
     * the number of eligible members outside the control group.
     */
    long freeze(long campaignId) {
        jdbc.sql("""
                with c as (select control_seed, control_pct from campaigns.campaign where id = :c),
                n as (select count(*) as total from campaigns.audience_member where campaign_id = :c),
                ranked as (
                  select a.member_id, row_number() over (order by md5(c.control_seed::text || ':' || a.member_id)) as r
                  from campaigns.audience_member a, c where a.campaign_id = :c)
                update campaigns.audience_member a set control = ranked.r <= round(n.total * c.control_pct / 100.0)
                from ranked, n, c
                where a.campaign_id = :c and a.member_id = ranked.member_id""").param("c", campaignId).update();
        jdbc.sql("""
                update campaigns.audience_member a set eligible = exists (
                  select 1 from campaigns.campaign c
                  cross join unnest(c.channels) ch
                  join members.v_member m on m.id = a.member_id
                  left join members.v_consent_current k on k.member_id = m.id and k.channel = ch
                       and k.purpose = case when c.kind = 'NOTICE' then 'SERVICE' else 'MARKETING' end
                  where c.id = a.campaign_id and m.id = a.member_id and m.status = 'ACTIVE'
                    and (case when c.kind = 'NOTICE' then coalesce(k.granted, true) else coalesce(k.granted, false) end)
                    and (c.kind = 'NOTICE' or not (c.personal_target and m.no_personalisation))
                    and (c.kind = 'NOTICE' or m.birthday is null or m.birthday <= current_date - interval '14 years')
                    and case ch when 'EMAIL' then m.email is not null else m.phone is not null end)
                where a.campaign_id = ?""").param(campaignId).update();
        return jdbc.sql(
                        "select count(*) from campaigns.audience_member where campaign_id = ? and eligible and not control")
                .param(campaignId)
                .query(Long.class)
                .single();
    }
}
