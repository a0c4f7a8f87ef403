package dev.patron.members;

import dev.patron.organization.OrganizationManagement;
import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/** Reads of the members schema shared by the API class and the merge logic (raw values, no masking). */
@Component
class MemberRows {

    static final JsonMapper JSON = JsonMapper.builder().build();

    /** A member table row as stored. */
    record Row(
            long id,
            MemberKind kind,
            MemberStatus status,
            String name,
            String namePinyin,
            String phone,
            String email,
            Gender gender,
            LocalDate birthday,
            String region,
            String city,
            String occupation,
            String industry,
            IncomeBand incomeBand,
            List<String> interests,
            Long preferredStoreId,
            Long joinStoreId,
            Long referrerId,
            LocalDate joinedOn,
            JoinChannel joinChannel,
            Long ownerStaffId,
            String companyName,
            String taxId,
            Long institutionId,
            Map<String, Object> customFields,
            Long mergedInto,
            Instant erasedAt,
            Instant createdAt,
            Instant updatedAt) {}

    static final String ROW_SELECT = """
            select id, kind, status, name, name_pinyin, phone, email, gender, birthday, region, city, occupation, industry,
                   income_band, interests, preferred_store_id, join_store_id, referrer_id, joined_on, join_channel,
                   owner_staff_id, company_name, tax_id, institution_id, custom_fields::text as custom_fields, merged_into,
                   erased_at, created_at, updated_at
            from members.member""";

    private final JdbcClient jdbc;
    private final OrganizationManagement organization;

    MemberRows(JdbcClient jdbc, OrganizationManagement organization) {
        this.jdbc = jdbc;
        this.organization = organization;
    }

    Optional<Row> find(long id) {
        return jdbc.sql(ROW_SELECT + " where id = ?")
                .param(id)
                .query(MemberRows::row)
                .optional();
    }

    /** Locks the row for the rest of the transaction (changes, merges). */
    Optional<Row> lock(long id) {
        return jdbc.sql(ROW_SELECT + " where id = ? for update")
                .param(id)
                .query(MemberRows::row)
                .optional();
    }

    /**
     * Locks several members in ascending id order, the one order every transaction that locks more
     * than one member uses, so that two concurrent merges of the same members wait instead of
     * deadlocking. Missing ids are absent from the result.
     */
    Map<Long, Row> lockInOrder(Collection<Long> ids) {
        Map<Long, Row> rows = new LinkedHashMap<>();
        ids.stream().distinct().sorted().forEach(id -> lock(id).ifPresent(r -> rows.put(id, r)));
        return rows;
    }

    static Row row(ResultSet rs, int n) throws SQLException {
        return new Row(
                rs.getLong("id"),
                MemberKind.valueOf(rs.getString("kind")),
                MemberStatus.valueOf(rs.getString("status")),
                rs.getString("name"),
                rs.getString("name_pinyin"),
                rs.getString("phone"),
                rs.getString("email"),
                enumOrNull(Gender.class, rs.getString("gender")),
                rs.getObject("birthday", LocalDate.class),
                rs.getString("region"),
                rs.getString("city"),
                rs.getString("occupation"),
                rs.getString("industry"),
                enumOrNull(IncomeBand.class, rs.getString("income_band")),
                strings(rs.getArray("interests")),
                rs.getObject("preferred_store_id", Long.class),
                rs.getObject("join_store_id", Long.class),
                rs.getObject("referrer_id", Long.class),
                rs.getObject("joined_on", LocalDate.class),
                JoinChannel.valueOf(rs.getString("join_channel")),
                rs.getObject("owner_staff_id", Long.class),
                rs.getString("company_name"),
                rs.getString("tax_id"),
                rs.getObject("institution_id", Long.class),
                jsonMap(rs.getString("custom_fields")),
                rs.getObject("merged_into", Long.class),
                instant(rs.getTimestamp("erased_at")),
                instant(rs.getTimestamp("created_at")),
                instant(rs.getTimestamp("updated_at")));
    }

    List<ContactPerson> contactPersons(long memberId) {
        return jdbc.sql(
                        "select name, title, phone, email from members.contact_person where member_id = ? order by position, id")
                .param(memberId)
                .query((rs, n) -> new ContactPerson(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4)))
                .list();
    }

    List<String> tags(long memberId) {
        return jdbc.sql(
                        "select t.name from members.member_tag mt join members.tag t on t.id = mt.tag_id where mt.member_id = ? order by t.name")
                .param(memberId)
                .query(String.class)
                .list();
    }

    private static final String CARD_SELECT = """
            select c.id, c.number, c.kind, c.status, c.issued_at, c.issued_store_id, r.number as replaces_number,
                   c.status_changed_at, c.member_id
            from members.card c left join members.card r on r.id = c.replaces_id""";

    /**
     * A card by number in the member lookup's own statement (columns {@code card_*}, the issuing
     * store's code read with it): one parameter, the number; read with {@link #lookupCard}.
     */
    static final String LOOKUP_CARD_SELECT = """
            select c.id as card_id, c.number as card_number, c.kind as card_kind, c.status as card_status,
                   c.issued_at as card_issued_at,
                   (select s.code from organization.v_store s where s.id = c.issued_store_id) as card_issued_store_code,
                   r.number as card_replaces_number, c.status_changed_at as card_status_changed_at
            from members.card c left join members.card r on r.id = c.replaces_id
            where c.number = ?""";

    /** The card of {@link #LOOKUP_CARD_SELECT}'s columns, or null when they are null (no such card). */
    static Card lookupCard(ResultSet rs) throws SQLException {
        Object id = rs.getObject("card_id");
        if (id == null) {
            return null;
        }
        return new Card(
                ((Number) id).longValue(),
                rs.getString("card_number"),
                CardKind.valueOf(rs.getString("card_kind")),
                CardStatus.valueOf(rs.getString("card_status")),
                instant(rs.getTimestamp("card_issued_at")),
                rs.getString("card_issued_store_code"),
                rs.getString("card_replaces_number"),
                instant(rs.getTimestamp("card_status_changed_at")));
    }

    List<Card> cards(long memberId) {
        List<Object[]> raw = jdbc.sql(CARD_SELECT + " where c.member_id = ? order by c.id")
                .param(memberId)
                .query((rs, n) -> new Object[] {
                    rs.getLong(1),
                    rs.getString(2),
                    rs.getString(3),
                    rs.getString(4),
                    instant(rs.getTimestamp(5)),
                    rs.getObject(6, Long.class),
                    rs.getString(7),
                    instant(rs.getTimestamp(8))
                })
                .list();
        Map<Long, String> stores = organization.storeCodes(
                raw.stream().map(r -> (Long) r[5]).filter(Objects::nonNull).collect(Collectors.toSet()));
        List<Card> cards = new ArrayList<>();
        for (Object[] r : raw) {
            cards.add(new Card(
                    (Long) r[0],
                    (String) r[1],
                    CardKind.valueOf((String) r[2]),
                    CardStatus.valueOf((String) r[3]),
                    (Instant) r[4],
                    r[5] == null ? null : stores.get((Long) r[5]),
                    (String) r[6],
                    (Instant) r[7]));
        }
        return cards;
    }

    /** A card by number with its member id. */
    Optional<Map.Entry<Long, Card>> card(String number) {
        return jdbc.sql(CARD_SELECT + " where c.number = ?")
                .param(number)
                .query((rs, n) -> Map.entry(
                        rs.getLong("member_id"),
                        new Card(
                                rs.getLong(1),
                                rs.getString(2),
                                CardKind.valueOf(rs.getString(3)),
                                CardStatus.valueOf(rs.getString(4)),
                                instant(rs.getTimestamp(5)),
                                storeCode(rs.getObject(6, Long.class)),
                                rs.getString(7),
                                instant(rs.getTimestamp(8)))))
                .optional();
    }

    List<CardEvent> cardEvents(long memberId) {
        return jdbc.sql("""
                select c.number, e.at, e.status, e.actor, e.reason from members.card_event e join members.card c on c.id = e.card_id
                where c.member_id = ? order by e.id""")
                .param(memberId)
                .query((rs, n) -> new CardEvent(
                        rs.getString(1),
                        instant(rs.getTimestamp(2)),
                        CardStatus.valueOf(rs.getString(3)),
                        rs.getString(4),
                        rs.getString(5)))
                .list();
    }

    List<Identifier> identifiers(long memberId) {
        return jdbc.sql(
                        "select kind, system, value from members.identifier where member_id = ? order by kind, system, id")
                .param(memberId)
                .query((rs, n) -> new Identifier(
                        IdentifierKind.valueOf(rs.getString(1)),
                        rs.getString(2).isEmpty() ? null : rs.getString(2),
                        rs.getString(3)))
                .list();
    }

    private static final String CONSENT_SELECT = """
            select id, channel, purpose, granted, at, source, wording_version, operator, store_id, evidence
            from members.consent_event""";

    List<ConsentEntry> consentHistory(long memberId) {
        List<Object[]> raw = jdbc.sql(CONSENT_SELECT + " where member_id = ? order by at, id")
                .param(memberId)
                .query((rs, n) -> new Object[] {consent(rs, null), rs.getObject("store_id", Long.class)})
                .list();
        Map<Long, String> stores = organization.storeCodes(
                raw.stream().map(r -> (Long) r[1]).filter(Objects::nonNull).collect(Collectors.toSet()));
        return raw.stream()
                .map(r -> {
                    ConsentEntry e = (ConsentEntry) r[0];
                    return new ConsentEntry(
                            e.id(),
                            e.channel(),
                            e.purpose(),
                            e.granted(),
                            e.at(),
                            e.source(),
                            e.wordingVersion(),
                            e.operator(),
                            r[1] == null ? null : stores.get((Long) r[1]),
                            e.evidence());
                })
                .toList();
    }

    /** The current answer for every channel and purpose (never asked: not granted, no time). */
    List<ConsentState> consentStates(long memberId) {
        Map<String, ConsentState> latest = new LinkedHashMap<>();
        jdbc.sql("""
                select distinct on (channel, purpose) channel, purpose, granted, at, source, wording_version
                from members.consent_event where member_id = ? order by channel, purpose, at desc, id desc""")
                .param(memberId)
                .query((rs, n) -> latest.put(
                        rs.getString(1) + "/" + rs.getString(2),
                        new ConsentState(
                                ConsentChannel.valueOf(rs.getString(1)),
                                ConsentPurpose.valueOf(rs.getString(2)),
                                rs.getBoolean(3),
                                instant(rs.getTimestamp(4)),
                                ConsentSource.valueOf(rs.getString(5)),
                                rs.getString(6))))
                .list();
        List<ConsentState> states = new ArrayList<>();
        for (ConsentChannel c : ConsentChannel.values()) {
            for (ConsentPurpose p : ConsentPurpose.values()) {
                states.add(latest.getOrDefault(c + "/" + p, new ConsentState(c, p, false, null, null, null)));
            }
        }
        return states;
    }

    static ConsentEntry consent(ResultSet rs, String storeCode) throws SQLException {
        return new ConsentEntry(
                rs.getLong("id"),
                ConsentChannel.valueOf(rs.getString("channel")),
                ConsentPurpose.valueOf(rs.getString("purpose")),
                rs.getBoolean("granted"),
                instant(rs.getTimestamp("at")),
                ConsentSource.valueOf(rs.getString("source")),
                rs.getString("wording_version"),
                rs.getString("operator"),
                storeCode,
                rs.getString("evidence"));
    }

    List<Note> notes(long memberId) {
        return jdbc.sql("select id, body, author, created_at from members.note where member_id = ? order by id desc")
                .param(memberId)
                .query((rs, n) ->
                        new Note(rs.getLong(1), rs.getString(2), rs.getString(3), instant(rs.getTimestamp(4))))
                .list();
    }

    // ---------------------------------------------------------------- summaries

    /** Columns of a member summary over {@code members.member m}; the preferred store's code through organization's published {@code v_store}. */
    static final String SUMMARY_COLUMNS = """
            m.id, m.kind, m.status, m.name, m.phone, m.email, m.gender, m.birthday, m.city, m.preferred_store_id, m.joined_on,
            array(select c.number from members.card c where c.member_id = m.id and c.status = 'ACTIVE' order by c.id) as cards,
            array(select t.name from members.member_tag mt join members.tag t on t.id = mt.tag_id where mt.member_id = m.id order by t.name) as tags,
            (select s.code from organization.v_store s where s.id = m.preferred_store_id) as preferred_store_code""";

    /** A summary row before masking. */
    record SummaryRow(
            long id,
            MemberKind kind,
            MemberStatus status,
            String name,
            String phone,
            String email,
            Gender gender,
            LocalDate birthday,
            String city,
            Long preferredStoreId,
            LocalDate joinedOn,
            List<String> cards,
            List<String> tags,
            String preferredStoreCode) {}

    static SummaryRow summaryRow(ResultSet rs, int n) throws SQLException {
        return new SummaryRow(
                rs.getLong("id"),
                MemberKind.valueOf(rs.getString("kind")),
                MemberStatus.valueOf(rs.getString("status")),
                rs.getString("name"),
                rs.getString("phone"),
                rs.getString("email"),
                enumOrNull(Gender.class, rs.getString("gender")),
                rs.getObject("birthday", LocalDate.class),
                rs.getString("city"),
                rs.getObject("preferred_store_id", Long.class),
                rs.getObject("joined_on", LocalDate.class),
                strings(rs.getArray("cards")),
                strings(rs.getArray("tags")),
                rs.getString("preferred_store_code"));
    }

    /** Summaries in the order of {@code ids}. */
    List<SummaryRow> summaryRows(List<Long> ids) {
        if (ids.isEmpty()) {
            return List.of();
        }
        Map<Long, SummaryRow> byId = new LinkedHashMap<>();
        jdbc.sql("select " + SUMMARY_COLUMNS + " from members.member m where m.id = any(?)")
                .param(ids.toArray(Long[]::new))
                .query(MemberRows::summaryRow)
                .list()
                .forEach(r -> byId.put(r.id(), r));
        return ids.stream().map(byId::get).filter(Objects::nonNull).toList();
    }

    /** Summaries of rows read with {@link #SUMMARY_COLUMNS} (store codes read with them), masked if asked. */
    List<MemberSummary> summaries(List<SummaryRow> rows, boolean mask) {
        return rows.stream()
                .map(r -> new MemberSummary(
                        r.id(),
                        r.kind(),
                        r.status(),
                        r.name(),
                        mask ? Masking.phone(r.phone()) : r.phone(),
                        mask ? Masking.email(r.email()) : r.email(),
                        mask,
                        r.gender(),
                        r.birthday(),
                        r.city(),
                        r.preferredStoreCode(),
                        r.joinedOn(),
                        r.cards(),
                        r.tags()))
                .toList();
    }

    String storeCode(Long id) {
        return id == null ? null : organization.storeCodes(List.of(id)).get(id);
    }

    // ---------------------------------------------------------------- helpers

    static <E extends Enum<E>> E enumOrNull(Class<E> type, String value) {
        return value == null ? null : Enum.valueOf(type, value);
    }

    static List<String> strings(Array array) throws SQLException {
        return array == null ? List.of() : Arrays.asList((String[]) array.getArray());
    }

    static Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }

    static Map<String, Object> jsonMap(String json) {
        if (json == null || json.isBlank()) {
            return Map.of();
        }
        return JSON.readValue(json, new TypeReference<LinkedHashMap<String, Object>>() {});
    }

    static String toJson(Object value) {
        return JSON.writeValueAsString(value);
    }

    static <K extends Enum<K>, V> EnumMap<K, V> enumMap(Class<K> type) {
        return new EnumMap<>(type);
    }
}
