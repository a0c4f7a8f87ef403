package dev.patron.members;

import dev.patron.audit.AuditLog;
import dev.patron.organization.OrganizationManagement;
import dev.patron.shared.security.StaffPrincipal;
import dev.patron.shared.security.StoreScope;
import dev.patron.shared.web.PatronException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.stereotype.Component;

/** Writes of the member file; callers have checked roles and locked the member where needed. */
@Component
class MemberWriter {

    static final String ERASED_NAME = "已注销会员";

    private final JdbcClient jdbc;
    private final AuditLog audit;
    private final ApplicationEventPublisher events;
    private final OrganizationManagement organization;
    private final ProfileRules rules;
    private final MembersProperties settings;

    MemberWriter(
            JdbcClient jdbc,
            AuditLog audit,
            ApplicationEventPublisher events,
            OrganizationManagement organization,
            ProfileRules rules,
            MembersProperties settings) {
        this.jdbc = jdbc;
        this.audit = audit;
        this.events = events;
        this.organization = organization;
        this.rules = rules;
        this.settings = settings;
    }

    // ---------------------------------------------------------------- enrol

    long enrol(MemberCommand cmd, JoinChannel defaultChannel, StaffPrincipal actor) {
        Problems problems = new Problems();
        MemberProfile profile = cmd.profile();
        ProfileRules.Valid v = rules.checkFormat(profile, true, defaultChannel, problems);
        String card = cleanCard(cmd.cardNumber());
        if (card != null && !CardNumbers.acceptable(settings.cards(), card)) {
            problems.add(
                    "cardNumber",
                    "members.validation.cardNumber",
                    settings.cards().length());
        }
        List<ExternalId> externalIds = checkExternalIds(cmd.identifiers(), "identifiers", problems);
        checkConsents(cmd.consents(), "consents", problems);
        problems.throwIfAny();
        v = rules.resolve(profile, v, null);

        Long preferred = v.preferredStoreId();
        Long join = v.joinStoreId();
        StoreScope scope = actor.scope();
        if (!scope.allStores()) {
            if (preferred == null && join == null) {
                if (scope.storeIds().size() != 1) {
                    throw PatronException.invalid("joinStoreCode", "members.validation.storeRequired");
                }
                join = scope.storeIds().iterator().next();
            }
            if (!MemberManagement.inScope(scope, preferred, join)) {
                throw new AccessDeniedException("error.store.outOfScope");
            }
        }
        if (v.phone() != null && !Boolean.TRUE.equals(cmd.allowDuplicatePhone())) {
            activeMemberWithPhone(v.phone(), null).ifPresent(other -> {
                throw PatronException.conflict("phone", "error.members.phoneTaken", other);
            });
        }
        if (card != null && cardExists(card)) {
            throw PatronException.conflict("cardNumber", "error.members.card.taken", card);
        }
        requireFreeExternalIds(externalIds, "identifiers");

        long id = jdbc.sql("""
                insert into members.member(kind, name, name_pinyin, name_initials, phone, email, gender, birthday, region, city,
                    occupation, industry, income_band, interests, preferred_store_id, join_store_id, referrer_id, joined_on,
                    join_channel, owner_staff_id, company_name, tax_id, institution_id, custom_fields)
                values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, cast(? as jsonb)) returning id""")
                .params(
                        v.kind().name(),
                        v.name(),
                        v.pinyin().full(),
                        v.pinyin().initials(),
                        v.phone(),
                        v.email(),
                        name(v.gender()),
                        v.birthday(),
                        v.region(),
                        v.city(),
                        v.occupation(),
                        v.industry(),
                        name(v.incomeBand()),
                        v.interests().toArray(String[]::new),
                        preferred,
                        join,
                        v.referrerId(),
                        v.joinedOn(),
                        v.joinChannel().name(),
                        v.ownerStaffId(),
                        v.companyName(),
                        v.taxId(),
                        v.institutionId(),
                        MemberRows.toJson(v.customFields()))
                .query(Long.class)
                .single();
        addIdentifier(id, IdentifierKind.PHONE, "", v.phone());
        addIdentifier(id, IdentifierKind.EMAIL, "", v.email());
        writeContacts(id, v.contactPersons());
        writeTags(id, v.tags());
        String number = issueCard(
                id,
                card,
                card == null ? CardKind.ELECTRONIC : CardKind.PHYSICAL,
                join != null ? join : preferred,
                null,
                "cardNumber");
        addExternalIds(id, externalIds, i -> "identifiers[" + i + "].value");

        Map<String, Object> details = new LinkedHashMap<>();
        details.put("kind", v.kind().name());
        details.put("channel", v.joinChannel().name());
        details.put("card", number);
        details.put("joinStore", join == null ? "" : String.valueOf(join));
        audit.recordAs(actor, "member.created", "member", id, details);
        events.publishEvent(new MemberEnrolled(id, v.kind(), v.joinChannel(), join, v.joinedOn()));
        recordConsents(id, cmd.consents(), defaultSource(v.joinChannel()), "consents", actor);
        return id;
    }

    static ConsentSource defaultSource(JoinChannel channel) {
        return switch (channel) {
            case STORE_DESK -> ConsentSource.STORE;
            case POS -> ConsentSource.POS;
            case WEBSITE, ECOMMERCE -> ConsentSource.WEB;
            case IMPORT -> ConsentSource.IMPORT;
            case CALL_CENTER -> ConsentSource.CALL_CENTER;
            case API -> ConsentSource.API;
        };
    }

    // ---------------------------------------------------------------- update

    void update(MemberRows.Row row, MemberProfile profile, boolean allowDuplicatePhone) {
        ProfileRules.Valid v = rules.check(profile, row.id(), false, row.joinChannel());
        StoreScope scope = dev.patron.shared.security.CurrentStaff.scope();
        if (!MemberManagement.inScope(scope, v.preferredStoreId(), v.joinStoreId())) {
            throw new AccessDeniedException("error.store.outOfScope");
        }
        if (v.phone() != null && !v.phone().equals(row.phone()) && !allowDuplicatePhone) {
            activeMemberWithPhone(v.phone(), row.id()).ifPresent(other -> {
                throw PatronException.conflict("phone", "error.members.phoneTaken", other);
            });
        }
        Map<String, Object> before = comparable(
                row.kind(),
                row.name(),
                row.phone(),
                row.email(),
                row.gender(),
                row.birthday(),
                row.region(),
                row.city(),
                row.occupation(),
                row.industry(),
                row.incomeBand(),
                row.interests(),
                row.preferredStoreId(),
                row.joinStoreId(),
                row.referrerId(),
                row.joinedOn(),
                row.joinChannel(),
                row.ownerStaffId(),
                row.companyName(),
                row.taxId(),
                row.institutionId(),
                row.customFields());
        before.put("contactPersons", contacts(row.id()));
        before.put("tags", Set.copyOf(tags(row.id())));
        Map<String, Object> after = comparable(
                v.kind(),
                v.name(),
                v.phone(),
                v.email(),
                v.gender(),
                v.birthday(),
                v.region(),
                v.city(),
                v.occupation(),
                v.industry(),
                v.incomeBand(),
                v.interests(),
                v.preferredStoreId(),
                v.joinStoreId(),
                v.referrerId(),
                v.joinedOn(),
                v.joinChannel(),
                v.ownerStaffId(),
                v.companyName(),
                v.taxId(),
                v.institutionId(),
                v.customFields());
        after.put("contactPersons", v.contactPersons());
        after.put("tags", Set.copyOf(v.tags()));
        Set<String> changed = new LinkedHashSet<>();
        after.forEach((k, value) -> {
            if (!Objects.equals(before.get(k), value)) {
                changed.add(k);
            }
        });
        if (changed.isEmpty()) {
            return;
        }
        jdbc.sql("""
                update members.member set kind = ?, name = ?, name_pinyin = ?, name_initials = ?, phone = ?, email = ?, gender = ?,
                    birthday = ?, region = ?, city = ?, occupation = ?, industry = ?, income_band = ?, interests = ?,
                    preferred_store_id = ?, join_store_id = ?, referrer_id = ?, joined_on = ?, join_channel = ?, owner_staff_id = ?,
                    company_name = ?, tax_id = ?, institution_id = ?, custom_fields = cast(? as jsonb), updated_at = now()
                where id = ?""")
                .params(
                        v.kind().name(),
                        v.name(),
                        v.pinyin().full(),
                        v.pinyin().initials(),
                        v.phone(),
                        v.email(),
                        name(v.gender()),
                        v.birthday(),
                        v.region(),
                        v.city(),
                        v.occupation(),
                        v.industry(),
                        name(v.incomeBand()),
                        v.interests().toArray(String[]::new),
                        v.preferredStoreId(),
                        v.joinStoreId(),
                        v.referrerId(),
                        v.joinedOn(),
                        v.joinChannel().name(),
                        v.ownerStaffId(),
                        v.companyName(),
                        v.taxId(),
                        v.institutionId(),
                        MemberRows.toJson(v.customFields()),
                        row.id())
                .update();
        if (changed.contains("phone")) {
            removeIdentifier(row.id(), IdentifierKind.PHONE, row.phone());
            addIdentifier(row.id(), IdentifierKind.PHONE, "", v.phone());
        }
        if (changed.contains("email")) {
            removeIdentifier(row.id(), IdentifierKind.EMAIL, row.email());
            addIdentifier(row.id(), IdentifierKind.EMAIL, "", v.email());
        }
        if (changed.contains("contactPersons")) {
            jdbc.sql("delete from members.contact_person where member_id = ?")
                    .param(row.id())
                    .update();
            writeContacts(row.id(), v.contactPersons());
        }
        if (changed.contains("tags")) {
            jdbc.sql("delete from members.member_tag where member_id = ?")
                    .param(row.id())
                    .update();
            writeTags(row.id(), v.tags());
        }
        audit.record("member.updated", "member", row.id(), Map.of("fields", changed));
        events.publishEvent(new MemberUpdated(row.id(), Set.copyOf(changed)));
    }

    private static Map<String, Object> comparable(Object... values) {
        String[] names = {
            "kind",
            "name",
            "phone",
            "email",
            "gender",
            "birthday",
            "region",
            "city",
            "occupation",
            "industry",
            "incomeBand",
            "interests",
            "preferredStore",
            "joinStore",
            "referrerId",
            "joinedOn",
            "joinChannel",
            "ownerStaffId",
            "companyName",
            "taxId",
            "institutionId",
            "customFields"
        };
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < names.length; i++) {
            Object value = values[i];
            if (value instanceof Map<?, ?> map) {
                value = MemberRows.jsonMap(MemberRows.toJson(map)); // same number representation on both sides
            }
            m.put(names[i], value);
        }
        return m;
    }

    private List<ContactPerson> contacts(long memberId) {
        return jdbc.sql(
                        "select name, title, phone, email from members.contact_person where member_id = ? order by position, id")
                .param(memberId)
                .query((rs, n) -> new ContactPerson(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4)))
                .list();
    }

    private List<String> tags(long memberId) {
        return jdbc.sql(
                        "select t.name from members.member_tag mt join members.tag t on t.id = mt.tag_id where mt.member_id = ?")
                .param(memberId)
                .query(String.class)
                .list();
    }

    // ---------------------------------------------------------------- identifiers

    Optional<Long> activeMemberWithPhone(String e164, Long except) {
        return jdbc.sql("""
                select i.member_id from members.identifier i join members.member m on m.id = i.member_id
                where i.kind = 'PHONE' and i.system = '' and i.value = ? and m.status = 'ACTIVE' and m.id <> ? order by m.id limit 1""")
                .params(e164, except == null ? -1L : except)
                .query(Long.class)
                .optional();
    }

    void addIdentifier(long memberId, IdentifierKind kind, String system, String value) {
        if (value == null) {
            return;
        }
        jdbc.sql("""
                insert into members.identifier(member_id, kind, system, value) values (?, ?, ?, ?)
                on conflict (kind, system, value, member_id) do nothing""").params(memberId, kind.name(), system, value).update();
    }

    private void removeIdentifier(long memberId, IdentifierKind kind, String value) {
        if (value != null) {
            jdbc.sql("delete from members.identifier where member_id = ? and kind = ? and system = '' and value = ?")
                    .params(memberId, kind.name(), value)
                    .update();
        }
    }

    List<ExternalId> checkExternalIds(List<ExternalId> ids, String field, Problems problems) {
        List<ExternalId> out = new ArrayList<>();
        if (ids == null) {
            return out;
        }
        if (ids.size() > 20) {
            problems.add(field, "members.validation.tooMany", 20);
            return out;
        }
        for (int i = 0; i < ids.size(); i++) {
            ExternalId e = checkExternalId(ids.get(i), field + "[" + i + "].", problems);
            if (e != null) {
                out.add(e);
            }
        }
        return out;
    }

    /** The id with its system lower-cased, or null after reporting what is wrong (fields named {@code prefix + "system"} etc.). */
    static ExternalId checkExternalId(ExternalId e, String prefix, Problems problems) {
        String system = e == null ? null : ProfileRules.trim(e.system());
        String value = e == null ? null : ProfileRules.trim(e.value());
        boolean ok = true;
        if (system == null) {
            problems.add(prefix + "system", "validation.required");
            ok = false;
        } else if (!ProfileRules.SYSTEM.matcher(system.toLowerCase(Locale.ROOT)).matches()) {
            problems.add(prefix + "system", "members.validation.system");
            ok = false;
        }
        if (value == null) {
            problems.add(prefix + "value", "validation.required");
            ok = false;
        } else if (value.length() > 200) {
            problems.add(prefix + "value", "members.validation.tooLong", 200);
            ok = false;
        }
        return ok ? new ExternalId(system.toLowerCase(Locale.ROOT), value) : null;
    }

    private void requireFreeExternalIds(List<ExternalId> ids, String field) {
        for (int i = 0; i < ids.size(); i++) {
            ExternalId e = ids.get(i);
            if (externalIdOwner(e).isPresent()) {
                throw PatronException.conflict(
                        field + "[" + i + "].value", "error.members.identifierTaken", e.system(), e.value());
            }
        }
    }

    Optional<Long> externalIdOwner(ExternalId e) {
        return jdbc.sql("select member_id from members.identifier where kind = 'EXTERNAL' and system = ? and value = ?")
                .params(e.system(), e.value())
                .query(Long.class)
                .optional();
    }

    /**
     * Adds checked external ids; one that already belongs to another member is 409 naming
     * {@code fieldOf.apply(index)}; one the member already has is left as it is.
     */
    void addExternalIds(long memberId, List<ExternalId> ids, java.util.function.IntFunction<String> fieldOf) {
        for (int i = 0; i < ids.size(); i++) {
            ExternalId e = ids.get(i);
            Optional<Long> owner = externalIdOwner(e);
            if (owner.isPresent() && owner.get() != memberId) {
                throw PatronException.conflict(
                        fieldOf.apply(i), "error.members.identifierTaken", e.system(), e.value());
            }
            if (owner.isEmpty()) {
                try {
                    jdbc.sql(
                                    "insert into members.identifier(member_id, kind, system, value) values (?, 'EXTERNAL', ?, ?)")
                            .params(memberId, e.system(), e.value())
                            .update();
                } catch (DuplicateKeyException ex) {
                    throw PatronException.conflict(
                            fieldOf.apply(i), "error.members.identifierTaken", e.system(), e.value());
                }
            }
        }
    }

    // ---------------------------------------------------------------- contacts and tags

    private void writeContacts(long memberId, List<ContactPerson> contacts) {
        for (int i = 0; i < contacts.size(); i++) {
            ContactPerson c = contacts.get(i);
            jdbc.sql(
                            "insert into members.contact_person(member_id, position, name, title, phone, email) values (?, ?, ?, ?, ?, ?)")
                    .params(memberId, i, c.name(), c.title(), c.phone(), c.email())
                    .update();
        }
    }

    void writeTags(long memberId, List<String> tags) {
        for (String t : tags) {
            jdbc.sql("insert into members.tag(name) values (?) on conflict ((lower(name))) do nothing")
                    .param(t)
                    .update();
            jdbc.sql("""
                    insert into members.member_tag(member_id, tag_id) select ?, id from members.tag where lower(name) = lower(?)
                    on conflict do nothing""").params(memberId, t).update();
        }
    }

    // ---------------------------------------------------------------- cards

    static String cleanCard(String number) {
        String n = ProfileRules.trim(number);
        return n == null ? null : n.replaceAll("[\\s-]", "");
    }

    boolean cardExists(String number) {
        return jdbc.sql("select exists (select 1 from members.card where number = ?)")
                .param(number)
                .query(Boolean.class)
                .single();
    }

    /**
     * Issues a card: {@code number} if given (checked against the pattern; 409 naming
     * {@code field} when in use), else a new number from the card sequence.
     */
    String issueCard(long memberId, String number, CardKind kind, Long storeId, Long replacesId, String field) {
        String n = cleanCard(number);
        if (n != null) {
            if (!CardNumbers.acceptable(settings.cards(), n)) {
                throw PatronException.invalid(
                        field, "members.validation.cardNumber", settings.cards().length());
            }
            if (cardExists(n)) {
                throw PatronException.conflict(field, "error.members.card.taken", n);
            }
        } else {
            do {
                long serial = jdbc.sql("select nextval('members.card_number_seq')")
                        .query(Long.class)
                        .single();
                n = CardNumbers.generate(settings.cards(), serial);
            } while (cardExists(n)); // a pre-printed physical card may have taken the number
        }
        CardKind k = kind != null ? kind : number == null ? CardKind.ELECTRONIC : CardKind.PHYSICAL;
        long cardId;
        try {
            cardId = jdbc.sql("""
                    insert into members.card(number, member_id, kind, issued_store_id, replaces_id) values (?, ?, ?, ?, ?) returning id""")
                    .params(n, memberId, k.name(), storeId, replacesId)
                    .query(Long.class)
                    .single();
        } catch (DuplicateKeyException e) {
            throw PatronException.conflict(field, "error.members.card.taken", n);
        }
        addIdentifier(memberId, IdentifierKind.CARD, "", n);
        jdbc.sql("insert into members.card_event(card_id, status, actor, reason) values (?, 'ACTIVE', ?, 'issued')")
                .params(cardId, dev.patron.shared.security.CurrentStaff.get().auditName())
                .update();
        return n;
    }

    void setCardStatus(long cardId, CardStatus status, String reason) {
        jdbc.sql("update members.card set status = ?, status_changed_at = now() where id = ?")
                .params(status.name(), cardId)
                .update();
        jdbc.sql("insert into members.card_event(card_id, status, actor, reason) values (?, ?, ?, ?)")
                .params(
                        cardId,
                        status.name(),
                        dev.patron.shared.security.CurrentStaff.get().auditName(),
                        ProfileRules.trim(reason))
                .update();
    }

    // ---------------------------------------------------------------- consent

    void checkConsents(List<ConsentCommand> consents, String field, Problems problems) {
        if (consents == null) {
            return;
        }
        for (int i = 0; i < consents.size(); i++) {
            checkConsent(consents.get(i), field + "[" + i + "].", problems);
        }
    }

    static void checkConsent(ConsentCommand c, String prefix, Problems problems) {
        if (c == null) {
            problems.add(prefix.isEmpty() ? "body" : prefix.substring(0, prefix.length() - 1), "validation.required");
            return;
        }
        if (c.channel() == null) {
            problems.add(prefix + "channel", "validation.required");
        }
        if (c.purpose() == null) {
            problems.add(prefix + "purpose", "validation.required");
        }
        if (c.granted() == null) {
            problems.add(prefix + "granted", "validation.required");
        }
        String w = ProfileRules.trim(c.wordingVersion());
        if (w == null) {
            problems.add(prefix + "wordingVersion", "validation.required");
        } else if (w.length() > 40) {
            problems.add(prefix + "wordingVersion", "members.validation.tooLong", 40);
        }
        if (c.evidence() != null && c.evidence().length() > 500) {
            problems.add(prefix + "evidence", "members.validation.tooLong", 500);
        }
    }

    /** Appends consents to the ledger (checked; 404 for an unknown store), audits and publishes each. */
    List<Long> recordConsents(
            long memberId,
            List<ConsentCommand> consents,
            ConsentSource defaultSource,
            String field,
            StaffPrincipal actor) {
        List<Long> ids = new ArrayList<>();
        if (consents == null || consents.isEmpty()) {
            if (field.isEmpty()) {
                throw PatronException.invalid("channel", "validation.required");
            }
            return ids;
        }
        Problems problems = new Problems();
        if (field.isEmpty()) {
            checkConsent(consents.get(0), "", problems);
        } else {
            checkConsents(consents, field, problems);
        }
        problems.throwIfAny();
        for (int i = 0; i < consents.size(); i++) {
            ConsentCommand c = consents.get(i);
            String storeCode = ProfileRules.trim(c.storeCode());
            String f = field.isEmpty() ? "storeCode" : field + "[" + i + "].storeCode";
            Long storeId = storeCode == null
                    ? null
                    : organization
                            .storeIdByCode(storeCode)
                            .orElseThrow(() -> PatronException.unknownReference(f, "error.store.notFound", storeCode));
            ConsentSource source = c.source() == null ? defaultSource : c.source();
            var inserted = jdbc.sql("""
                    insert into members.consent_event(member_id, channel, purpose, granted, source, wording_version, operator, store_id, evidence)
                    values (?, ?, ?, ?, ?, ?, ?, ?, ?) returning id, at""")
                    .params(
                            memberId,
                            c.channel().name(),
                            c.purpose().name(),
                            c.granted(),
                            source.name(),
                            c.wordingVersion().trim(),
                            actor.auditName(),
                            storeId,
                            ProfileRules.trim(c.evidence()))
                    .query((rs, n) ->
                            Map.entry(rs.getLong(1), rs.getTimestamp(2).toInstant()))
                    .single();
            ids.add(inserted.getKey());
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("channel", c.channel().name());
            d.put("purpose", c.purpose().name());
            d.put("granted", c.granted());
            d.put("source", source.name());
            d.put("wordingVersion", c.wordingVersion().trim());
            audit.recordAs(actor, "consent.changed", "member", memberId, d);
            events.publishEvent(
                    new ConsentChanged(memberId, c.channel(), c.purpose(), c.granted(), inserted.getValue()));
        }
        return ids;
    }

    // ---------------------------------------------------------------- erasure

    void erase(MemberRows.Row row) {
        long id = row.id();
        jdbc.sql("""
                update members.member set name = ?, name_pinyin = '', name_initials = '', phone = null, email = null,
                    birthday = case when birthday is null then null else make_date(extract(year from birthday)::int, 1, 1) end,
                    occupation = null, industry = null, income_band = null, interests = '{}', referrer_id = null,
                    company_name = null, tax_id = null, custom_fields = '{}'::jsonb, status = 'ERASED', erased_at = now(),
                    updated_at = now()
                where id = ?""").params(ERASED_NAME, id).update();
        jdbc.sql("delete from members.identifier where member_id = ?").param(id).update();
        jdbc.sql("delete from members.contact_person where member_id = ?")
                .param(id)
                .update();
        jdbc.sql("delete from members.note where member_id = ?").param(id).update();
        List<Long> cards = jdbc.sql(
                        "select id from members.card where member_id = ? and status not in ('REPLACED', 'CANCELLED')")
                .param(id)
                .query(Long.class)
                .list();
        for (Long c : cards) {
            setCardStatus(c, CardStatus.CANCELLED, "erased");
        }
    }

    private static String name(Enum<?> e) {
        return e == null ? null : e.name();
    }
}
