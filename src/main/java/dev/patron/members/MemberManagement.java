package dev.patron.members;

import dev.patron.audit.AuditLog;
import dev.patron.organization.OrganizationManagement;
import dev.patron.shared.security.CurrentStaff;
import dev.patron.shared.security.Role;
import dev.patron.shared.security.StoreScope;
import dev.patron.shared.web.PageQuery;
import dev.patron.shared.web.PageResult;
import dev.patron.shared.web.PatronException;
import dev.patron.shared.web.SqlFilter;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.http.HttpStatus;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DatabindException;

/**
 * The members module's API: enrol, find, read (360 view), change, merge and unmerge, erase and
 * export members; their cards, identifiers, tags, notes and consent.
 *
 * <p>Rules (docs/members.md has the full matrix):
 * <ul>
 *   <li>Store scope: a caller limited to some stores sees a member whose preferred or join store is
 *       one of them; lists are filtered, opening or changing another is 403. Looking a member up
 *       by an exact phone, card, e-mail or external id works chain-wide (a card is valid in every
 *       store).
 *   <li>Contact data: ADMIN, AGENT and STORE_MANAGER see phones and e-mails; every other role sees
 *       them masked (138****1234). Every read of an unmasked member record (detail, lookup, list)
 *       and every export is written to the audit log (PRV-06, PRV-21).
 *   <li>Enrol and change: ADMIN, STORE_MANAGER, COUNTER_STAFF, AGENT. Merge: ADMIN and
 *       STORE_MANAGER; undoing a merge (within 30 days), erasing and exporting a member: ADMIN.
 * </ul>
 */
@Service
public class MemberManagement {

    private static final Logger log = LoggerFactory.getLogger(MemberManagement.class);
    static final Role[] WRITERS = {Role.ADMIN, Role.STORE_MANAGER, Role.COUNTER_STAFF, Role.AGENT};
    static final Role[] SEE_CONTACT = {Role.ADMIN, Role.AGENT, Role.STORE_MANAGER};
    static final int MAX_LOOKUP_MATCHES = 20;
    private static final Map<String, String> SORT = Map.of("id", "m.id", "name", "m.name", "joinedOn", "m.joined_on");

    private final JdbcClient jdbc;
    private final AuditLog audit;
    private final ApplicationEventPublisher events;
    private final OrganizationManagement organization;
    private final ProfileRules rules;
    private final MemberRows rows;
    private final MemberWriter writer;
    private final Merges merges;
    private final ObjectProvider<MemberPanel> panels;
    private final ObjectProvider<MemberLookupExtension> lookupExtensions;
    private final MemberImports imports;
    private final MembersProperties settings;
    private final PersonalisationSwitch personalisation;
    /** Runs a panel inside a savepoint of the caller's transaction (see {@link #panels}). */
    private final org.springframework.transaction.support.TransactionTemplate panelTransaction;

    MemberManagement(
            JdbcClient jdbc,
            AuditLog audit,
            ApplicationEventPublisher events,
            OrganizationManagement organization,
            ProfileRules rules,
            MemberRows rows,
            MemberWriter writer,
            Merges merges,
            ObjectProvider<MemberPanel> panels,
            MemberImports imports,
            MembersProperties settings,
            org.springframework.transaction.PlatformTransactionManager transactions,
            ObjectProvider<MemberLookupExtension> lookupExtensions,
            PersonalisationSwitch personalisation) {
        this.jdbc = jdbc;
        this.personalisation = personalisation;
        this.lookupExtensions = lookupExtensions;
        this.panelTransaction = new org.springframework.transaction.support.TransactionTemplate(transactions);
        this.panelTransaction.setPropagationBehavior(
                org.springframework.transaction.TransactionDefinition.PROPAGATION_NESTED);
        this.audit = audit;
        this.events = events;
        this.organization = organization;
        this.rules = rules;
        this.rows = rows;
        this.writer = writer;
        this.merges = merges;
        this.panels = panels;
        this.imports = imports;
        this.settings = settings;
    }

    // ---------------------------------------------------------------- who may see what

    /** Whether the caller sees phones and e-mails unmasked. */
    public static boolean seesContactData() {
        return CurrentStaff.get().hasAnyRole(SEE_CONTACT);
    }

    /** Whether the caller may enrol and change members. */
    public static boolean mayChange() {
        return CurrentStaff.get().hasAnyRole(WRITERS);
    }

    /** 403 unless the caller may enrol and change members. */
    public static void requireMayChange() {
        CurrentStaff.requireAnyRole(WRITERS);
    }

    static boolean inScope(StoreScope scope, Long preferredStoreId, Long joinStoreId) {
        return scope.allStores()
                || (preferredStoreId != null && scope.allows(preferredStoreId))
                || (joinStoreId != null && scope.allows(joinStoreId));
    }

    static void requireVisible(MemberRows.Row row) {
        if (!inScope(CurrentStaff.scope(), row.preferredStoreId(), row.joinStoreId())) {
            throw new AccessDeniedException("error.members.outOfScope");
        }
    }

    private MemberRows.Row visibleRow(long id) {
        MemberRows.Row row = rows.find(id).orElseThrow(() -> PatronException.notFound("error.members.notFound", id));
        requireVisible(row);
        return row;
    }

    static void requireActive(MemberRows.Row row) {
        if (row.status() != MemberStatus.ACTIVE) {
            throw new PatronException(
                    HttpStatus.CONFLICT,
                    "error.members.notActive",
                    row.id(),
                    row.status().name());
        }
    }

    // ---------------------------------------------------------------- enrol

    /** Enrols a member through the API (join channel API unless the command names one). */
    @Transactional
    public Member create(MemberCommand cmd) {
        return create(cmd, JoinChannel.API);
    }

    /**
     * Enrols a member: checks the whole command (400 listing every bad field; 404 for unknown
     * stores, referrer, institution or staff; 409 for a card number or external id in use, or a
     * phone in use unless allowed), issues a card (the given physical one or a new electronic
     * one), records consents given at sign-up, audits and publishes {@link MemberEnrolled}.
     */
    @Transactional
    public Member create(MemberCommand cmd, JoinChannel defaultChannel) {
        CurrentStaff.requireAnyRole(WRITERS);
        long id = writer.enrol(cmd, defaultChannel, CurrentStaff.get());
        return read(id, false);
    }

    // ---------------------------------------------------------------- self-service sign-up

    /** Self-service sign-ups a client address may send per minute ({@code patron.members.sign-up-per-minute}). */
    public int signUpPerMinute() {
        return settings.signUpPerMinute();
    }

    /** The version of the consent wording the self-service page shows ({@code patron.members.consent-wording-version}). */
    public String consentWordingVersion() {
        return settings.consentWordingVersion();
    }

    /**
     * The name of the store a public sign-up page belongs to; empty when there is no such open
     * store. Needs no caller (the page is public).
     */
    @Transactional(readOnly = true)
    public Optional<String> signUpStoreName(String storeCode) {
        if (storeCode == null
                || !storeCode.matches("[A-Za-z0-9][A-Za-z0-9_-]{0,31}")
                || organization.storeIdByCode(storeCode).isEmpty()) {
            return Optional.empty();
        }
        try {
            return organization
                    .store(storeCode)
                    .filter(s -> "ACTIVE".equals(s.status()))
                    .map(s -> s.name());
        } catch (AccessDeniedException e) {
            return Optional.of(
                    storeCode.toUpperCase(java.util.Locale.ROOT)); // a signed-in staff member of another store
        }
    }

    /**
     * A member signs up on the public page of a store (no staff involved): name and mobile phone
     * required, join channel WEBSITE at that store, a new electronic card, and one MARKETING
     * consent entry per offered channel (granted when ticked, refused otherwise) with the page's
     * wording version (PRV-01, MKT-01). Same checks as every enrolment; a phone already in use is
     * 409 on {@code phone}. Returns the member as a masked view (the visitor is anonymous).
     */
    @Transactional
    public Member signUp(String storeCode, SelfSignUp form, String evidence) {
        if (signUpStoreName(storeCode).isEmpty()) {
            throw PatronException.notFound("error.store.notFound", storeCode);
        }
        String store = storeCode.toUpperCase(java.util.Locale.ROOT);
        Problems problems = new Problems();
        if (ProfileRules.trim(form.name()) == null) {
            problems.add("name", "validation.required");
        }
        if (ProfileRules.trim(form.phone()) == null) {
            problems.add("phone", "validation.required");
        }
        problems.throwIfAny();
        List<ConsentChannel> ticked = form.marketingConsents() == null ? List.of() : form.marketingConsents();
        List<ConsentCommand> consents = SelfSignUp.CHANNELS.stream()
                .map(c -> new ConsentCommand(
                        c,
                        ConsentPurpose.MARKETING,
                        ticked.contains(c),
                        ConsentSource.WEB,
                        settings.consentWordingVersion(),
                        store,
                        evidence))
                .toList();
        MemberCommand cmd = new MemberCommand(
                MemberKind.INDIVIDUAL,
                form.name(),
                form.phone(),
                form.email(),
                form.gender(),
                form.birthday(),
                null,
                null,
                null,
                null,
                null,
                null,
                store,
                store,
                null,
                null,
                JoinChannel.WEBSITE,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                consents,
                false);
        long id = writer.enrol(cmd, JoinChannel.WEBSITE, dev.patron.shared.security.StaffPrincipal.SYSTEM);
        return view(rows.find(id).orElseThrow(), true);
    }

    // ---------------------------------------------------------------- read

    /**
     * The 360 view (404 when unknown, 403 outside the caller's stores). Reading it unmasked is
     * audited as {@code member.viewed}.
     */
    @Transactional
    public Member member(long id) {
        return read(id, true);
    }

    private Member read(long id, boolean auditView) {
        MemberRows.Row row = visibleRow(id);
        boolean mask = !seesContactData();
        if (auditView && !mask && row.status() == MemberStatus.ACTIVE) {
            audit.recordRead("member.viewed", "member", id, Map.of("view", "360"));
        }
        Member m = view(row, mask);
        return m.withPanels(panels(id));
    }

    Member view(MemberRows.Row row, boolean mask) {
        long id = row.id();
        Map<Long, String> stores = organization.storeCodes(
                new TreeSet<>(java.util.stream.Stream.of(row.preferredStoreId(), row.joinStoreId())
                        .filter(Objects::nonNull)
                        .toList()));
        List<ContactPerson> contacts = rows.contactPersons(id).stream()
                .map(c -> mask
                        ? new ContactPerson(c.name(), c.title(), Masking.phone(c.phone()), Masking.email(c.email()))
                        : c)
                .toList();
        List<Identifier> identifiers = rows.identifiers(id).stream()
                .map(i -> mask ? new Identifier(i.kind(), i.system(), Masking.identifier(i.kind(), i.value())) : i)
                .toList();
        return new Member(
                id,
                row.kind(),
                row.status(),
                row.name(),
                row.namePinyin(),
                mask ? Masking.phone(row.phone()) : row.phone(),
                mask ? Masking.email(row.email()) : row.email(),
                mask,
                row.gender(),
                row.birthday(),
                row.region(),
                row.city(),
                row.occupation(),
                row.industry(),
                row.incomeBand(),
                row.interests(),
                stores.get(row.preferredStoreId()),
                stores.get(row.joinStoreId()),
                row.referrerId(),
                row.joinedOn(),
                row.joinChannel(),
                row.ownerStaffId(),
                row.companyName(),
                row.taxId(),
                contacts,
                row.institutionId(),
                rows.tags(id),
                row.customFields(),
                rows.cards(id),
                identifiers,
                rows.consentStates(id),
                rows.notes(id),
                row.mergedInto(),
                row.erasedAt(),
                row.createdAt(),
                row.updatedAt(),
                personalisation.state(id),
                List.of());
    }

    /** The panels other modules contribute for this member, in order; a failing panel is UNAVAILABLE. */
    List<PanelView> panels(long memberId) {
        List<PanelView> views = new ArrayList<>();
        boolean switchedOff = personalisation.state(memberId).switchedOff();
        panels.orderedStream()
                .sorted(java.util.Comparator.comparingInt(MemberPanel::order))
                .forEach(p -> {
                    if (switchedOff && p.profiling()) {
                        // PRV-09: the member switched personalisation off; the profile is not shown (nor computed)
                        views.add(new PanelView(p.key(), p.titleKey(), p.order(), p.template(), "SWITCHED_OFF", null));
                        return;
                    }
                    try {
                        // inside a savepoint: a panel whose SQL or @Transactional method fails rolls
                        // back to it, instead of leaving the whole view's transaction aborted or
                        // marked rollback-only (a failed erase, a 500 for the 360 view)
                        Optional<Object> data = org.springframework.transaction.support
                                        .TransactionSynchronizationManager.isActualTransactionActive()
                                ? panelTransaction.execute(status -> p.data(memberId))
                                : p.data(memberId);
                        views.add(new PanelView(
                                p.key(),
                                p.titleKey(),
                                p.order(),
                                p.template(),
                                data.isPresent() ? "OK" : "EMPTY",
                                data.orElse(null)));
                    } catch (RuntimeException e) {
                        log.warn("Member panel '{}' failed for member {}", p.key(), memberId, e);
                        views.add(new PanelView(p.key(), p.titleKey(), p.order(), p.template(), "UNAVAILABLE", null));
                    }
                });
        return views;
    }

    /**
     * Finds the member with this identifier among active members, chain-wide (no store scope: a
     * card or phone presented at any store identifies the member). {@code value} is normalised
     * like stored values (a phone in any common form; 400 naming {@code phone} when it is not
     * one). Audited as a view when the caller sees contact data. Runs outside any transaction (each
     * statement on its own): call it from a controller, not from inside a transaction.
     */
    public Optional<MemberLookup> lookup(IdentifierKind kind, String system, String value) {
        String sys = "";
        String normalized;
        switch (kind) {
            case PHONE ->
                normalized = Phones.normalizeMobile(value)
                        .orElseThrow(() -> PatronException.invalid("phone", "validation.phone"));
            case EMAIL -> normalized = value == null ? "" : value.trim().toLowerCase(java.util.Locale.ROOT);
            case CARD -> normalized = value == null ? "" : value.replaceAll("[\\s-]", "");
            case EXTERNAL -> {
                sys = system == null ? "" : system.trim().toLowerCase(java.util.Locale.ROOT);
                if (sys.isEmpty()) {
                    throw PatronException.invalid("system", "validation.required");
                }
                normalized = value == null ? "" : value.trim();
            }
            default -> throw new IllegalArgumentException(kind.name());
        }
        if (normalized.isEmpty()) {
            throw PatronException.invalid(
                    kind == IdentifierKind.EXTERNAL ? "externalId" : kind.name().toLowerCase(java.util.Locale.ROOT),
                    "validation.required");
        }
        // The hot path of the call center and the tills, in one round trip and in no transaction:
        // the identifier probe with the summaries, the card, every extension's read (MemberLookupExtension
        // fragments) and the audit row of an unmasked view are one statement, which commits on its own
        // (durably, with its audit row) before the answer leaves. The members found come with the one
        // whose own phone/e-mail it is first.
        boolean mask = !seesContactData();
        Map<String, ?> auditDetails = Map.of("view", "lookup", "by", kind.name());
        if (composedLookup) {
            // until the statement's column names are known not to clash, the audit row is written
            // after it (a clash found while reading the row would otherwise audit the view twice)
            Optional<AuditLog.StatementAudit> statementAudit = mask || !lookupColumnsChecked
                    ? Optional.empty()
                    : audit.readInStatement("member.viewed", "member", auditDetails);
            try {
                List<LookupRow> found = lookupInOneStatement(kind, sys, normalized, statementAudit);
                if (found.isEmpty()) {
                    return Optional.empty();
                }
                long memberId = found.get(0).summary().id();
                if (!mask && statementAudit.isEmpty()) {
                    audit.recordReadNow("member.viewed", "member", memberId, auditDetails);
                }
                List<MemberSummary> summaries =
                        rows.summaries(found.stream().map(LookupRow::summary).toList(), mask);
                return Optional.of(new MemberLookup(
                        summaries.get(0),
                        found.get(0).card(),
                        summaries.subList(1, summaries.size()),
                        found.get(0).extras()));
            } catch (LookupColumnClash e) {
                lookupFallbacks.incrementAndGet();
                composedLookup = false;
                log.error("Member lookup: {}; reading each extension by its own statement from now on", e.getMessage());
            } catch (org.springframework.jdbc.BadSqlGrammarException e) {
                lookupFallbacks.incrementAndGet();
                composedLookup = false; // an extension's fragment that cannot run never will
                log.error(
                        "Member lookup in one statement refused by the database; reading each extension by its own"
                                + " statement from now on",
                        e);
            } catch (org.springframework.dao.DataAccessException e) {
                // nothing of it was committed, unless reading its row failed after it ran: then the
                // view is audited twice, never not at all
                lookupFallbacks.incrementAndGet();
                log.warn("Member lookup in one statement failed; reading the member and each extension on its own", e);
            }
        }
        // Each read on its own: the probe, each extension (one statement each; a failing one is left
        // out and cannot poison anything), then the audit row in one durable statement.
        List<MemberRows.SummaryRow> found = jdbc.sql("select " + MemberRows.SUMMARY_COLUMNS + LOOKUP_PROBE
                        + " order by " + LOOKUP_ORDER + " limit ?")
                .params(kind.name(), sys, normalized, MAX_LOOKUP_MATCHES)
                .query(MemberRows::summaryRow)
                .list();
        if (found.isEmpty()) {
            return Optional.empty();
        }
        long memberId = found.get(0).id();
        List<MemberSummary> summaries = rows.summaries(found, mask);
        Card card = kind == IdentifierKind.CARD
                ? rows.card(normalized).map(Map.Entry::getValue).orElse(null)
                : null;
        Map<String, Object> extras = new java.util.LinkedHashMap<>();
        for (MemberLookupExtension x : lookupExtensions()) {
            extras.putAll(separately(x, memberId));
        }
        if (!mask) {
            audit.recordReadNow("member.viewed", "member", memberId, auditDetails);
        }
        return Optional.of(new MemberLookup(summaries.get(0), card, summaries.subList(1, summaries.size()), extras));
    }

    /**
     * False once the lookup's one statement showed two columns of the same name or was refused as
     * invalid SQL: the lookup then reads each extension on its own until the process restarts.
     */
    private volatile boolean composedLookup = true;

    /** Whether the composed statement's column names were checked (once per process). */
    private volatile boolean lookupColumnsChecked;

    /** Lookups that fell back from the one statement to separate reads. */
    private final java.util.concurrent.atomic.AtomicLong lookupFallbacks = new java.util.concurrent.atomic.AtomicLong();

    // for the tests that provoke a fallback (methods: this bean is a proxy)
    long lookupFallbacks() {
        return lookupFallbacks.get();
    }

    boolean composedLookup() {
        return composedLookup;
    }

    boolean lookupColumnsChecked() {
        return lookupColumnsChecked;
    }

    /** As after a start: the lookup composes its statement and checks its columns again. */
    void resetComposedLookup() {
        composedLookup = true;
        lookupColumnsChecked = false;
    }

    /** The lookup's probe: parameters kind, system and the normalised value; alias m for the member. */
    private static final String LOOKUP_PROBE = """
             from members.identifier i join members.member m on m.id = i.member_id
            where i.kind = ? and i.system = ? and i.value = ? and m.status = 'ACTIVE'""";

    /** The members found, the one whose own phone or e-mail it is first. */
    private static final String LOOKUP_ORDER =
            "(m.phone is not distinct from i.value or m.email is not distinct from i.value) desc, m.id";

    private record LookupRow(MemberRows.SummaryRow summary, Card card, Map<String, Object> extras) {}

    private static final class LookupColumnClash extends RuntimeException {
        LookupColumnClash(String message) {
            super(message);
        }
    }

    /**
     * The lookup's one statement: the members with the identifier (ranked, the first is the one
     * shown), and for the first only the card presented, each extension's fragment (joined
     * laterally) and the audit call. Extensions without a fragment are read on their own after it.
     */
    private List<LookupRow> lookupInOneStatement(
            IdentifierKind kind, String sys, String value, Optional<AuditLog.StatementAudit> statementAudit) {
        List<MemberLookupExtension> extensions = lookupExtensions();
        List<MemberLookupExtension.Fragment> fragments = new ArrayList<>();
        List<MemberLookupExtension> separate = new ArrayList<>();
        for (MemberLookupExtension x : extensions) {
            Optional<MemberLookupExtension.Fragment> fragment = x.fragment();
            if (fragment.isPresent()) {
                fragments.add(fragment.get());
            } else {
                separate.add(x);
            }
        }
        boolean byCard = kind == IdentifierKind.CARD;
        List<Object> params = new ArrayList<>(List.of(kind.name(), sys, value, MAX_LOOKUP_MATCHES));
        StringBuilder sql = new StringBuilder("with found as (select ")
                .append(MemberRows.SUMMARY_COLUMNS)
                .append(", row_number() over (order by ")
                .append(LOOKUP_ORDER)
                .append(") as lookup_rank")
                .append(LOOKUP_PROBE)
                .append(" order by lookup_rank limit ?) select f.*");
        if (byCard) {
            sql.append(", lc.*");
        }
        for (int i = 0; i < fragments.size(); i++) {
            sql.append(", x").append(i).append(".*");
        }
        statementAudit.ifPresent(a -> {
            sql.append(", case when f.lookup_rank = 1 then ")
                    .append(a.call("f.id"))
                    .append(" end as lookup_audited");
            params.addAll(a.params());
        });
        sql.append(" from found f");
        if (byCard) {
            sql.append(" left join lateral (")
                    .append(MemberRows.LOOKUP_CARD_SELECT)
                    .append(" and f.lookup_rank = 1) lc on true");
            params.add(value);
        }
        for (int i = 0; i < fragments.size(); i++) {
            MemberLookupExtension.Fragment fragment = fragments.get(i);
            sql.append(" left join lateral (")
                    .append(fragment.sql().apply("(case when f.lookup_rank = 1 then f.id end)"))
                    .append(") x")
                    .append(i)
                    .append(" on true");
            params.addAll(fragment.params());
        }
        sql.append(" order by f.lookup_rank");
        List<LookupRow> found = jdbc.sql(sql.toString())
                .params(params)
                .query((rs, n) -> {
                    if (n == 0 && !lookupColumnsChecked) {
                        checkLookupColumns(rs.getMetaData());
                    }
                    MemberRows.SummaryRow summary = MemberRows.summaryRow(rs, n);
                    if (n > 0) {
                        return new LookupRow(summary, null, Map.of());
                    }
                    Map<String, Object> extras = new LinkedHashMap<>();
                    for (MemberLookupExtension.Fragment fragment : fragments) {
                        extras.putAll(fragment.reader().read(summary.id(), rs));
                    }
                    return new LookupRow(summary, byCard ? MemberRows.lookupCard(rs) : null, extras);
                })
                .list();
        if (!found.isEmpty() && !separate.isEmpty()) {
            for (MemberLookupExtension x : separate) {
                found.get(0)
                        .extras()
                        .putAll(separately(x, found.get(0).summary().id()));
            }
        }
        return found;
    }

    private void checkLookupColumns(java.sql.ResultSetMetaData meta) throws java.sql.SQLException {
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (int c = 1; c <= meta.getColumnCount(); c++) {
            if (!seen.add(meta.getColumnLabel(c))) {
                throw new LookupColumnClash("two columns named '" + meta.getColumnLabel(c)
                        + "' in its one statement (an extension's fragment clashes with the lookup's or another's)");
            }
        }
        lookupColumnsChecked = true;
    }

    /** One extension's entries by its own statement; a failing extension is left out and logged. */
    private static Map<String, ?> separately(MemberLookupExtension x, long memberId) {
        try {
            return x.entries(memberId);
        } catch (RuntimeException e) {
            log.warn("Member lookup extension '{}' failed for member {}; answering without it", x.key(), memberId, e);
            return Map.of();
        }
    }

    private volatile List<MemberLookupExtension> orderedLookupExtensions;

    /** The extension beans in order, resolved once (they are singletons; resolving them per lookup cost 4 % of its CPU). */
    private List<MemberLookupExtension> lookupExtensions() {
        List<MemberLookupExtension> list = orderedLookupExtensions;
        if (list == null) {
            list = lookupExtensions.orderedStream().toList();
            orderedLookupExtensions = list;
        }
        return list;
    }

    /** 404 for an unknown member, 403 when the member is outside the caller's stores. */
    @Transactional(readOnly = true)
    public void requireVisible(long id) {
        visibleRow(id);
    }

    /** Members in the caller's scope matching {@code search} (see {@link MemberSearch}), paged. Unmasked lists are audited. */
    @Transactional
    public PageResult<MemberSummary> search(MemberSearch search, PageQuery page) {
        SearchFilter sf = searchFilter(search);
        SqlFilter f = sf.sql();
        String order = page.orderBy(SORT, "id");
        // count at most `limit` matches (never fewer than reach the end of this page): an exact
        // count of a broad match (a common surname at millions of members) takes seconds, so
        // beyond the limit the total is a lower bound and the page says so (totalExact false)
        long limit = Math.max(settings.searchCountLimit(), page.offset() + page.size());
        String matches = sf.branches() == null
                ? "select 1 from members.member m" + f.where()
                : sf.unionAll(sf.branches().size());
        long counted = jdbc.sql("select count(*) from (" + matches + " limit :countLimit) c")
                .params(f.params())
                .param("countLimit", limit + 1)
                .query(Long.class)
                .single();
        boolean exact = counted <= limit;
        long total = exact ? counted : limit;
        List<MemberRows.SummaryRow> found;
        if (sf.branches() != null && page.sortParam().isEmpty()) {
            // a name or pinyin term without a sort: best match first, each branch in the order of
            // its index, so a page reads about offset + size index entries whatever the number of
            // matches (ordering all matches of a surname by id would read every one of them)
            List<Long> ids = jdbc.sql("select id from (" + sf.ordered() + ") u order by g, k using ~<~, id"
                            + " limit :limit offset :offset")
                    .params(f.params())
                    .param("end", page.offset() + page.size())
                    .param("limit", page.size())
                    .param("offset", page.offset())
                    .query(Long.class)
                    .list();
            found = rows.summaryRows(ids);
        } else {
            found = jdbc.sql("select " + MemberRows.SUMMARY_COLUMNS + " from members.member m" + f.where()
                            + " order by " + order + " limit :limit offset :offset")
                    .params(f.params())
                    .param("limit", page.size())
                    .param("offset", page.offset())
                    .query(MemberRows::summaryRow)
                    .list();
        }
        boolean mask = !seesContactData();
        if (!mask && !found.isEmpty()) {
            audit.record(
                    "member.listed",
                    "member",
                    null,
                    Map.of(
                            "q",
                            search.q() == null ? "" : search.q(),
                            "ids",
                            found.stream().map(MemberRows.SummaryRow::id).toList()));
        }
        return new PageResult<>(rows.summaries(found, mask), page.page(), page.size(), total, exact);
    }

    SqlFilter filter(MemberSearch search) {
        return searchFilter(search).sql();
    }

    /**
     * A search's conditions ({@code sql}, a name or pinyin term OR-ed into it) and, for such a term,
     * its {@code branches}: disjoint conditions in the order results are shown, each answered by
     * one index ({@code baseWhere} holds the other conditions).
     */
    record SearchFilter(SqlFilter sql, String baseWhere, List<Branch> branches) {

        /** The first {@code n} branches' rows one after the other (as count can stop early). */
        String unionAll(int n) {
            return branches.subList(0, n).stream()
                    .map(b -> "(select 1 from members.member m" + baseWhere + " and " + b.condition() + ")")
                    .collect(java.util.stream.Collectors.joining(" union all "));
        }

        /** Up to :end ids of each branch in its index order, with the branch number g and sort key k. */
        String ordered() {
            StringBuilder sql = new StringBuilder();
            for (int i = 0; i < branches.size(); i++) {
                Branch b = branches.get(i);
                sql.append(i == 0 ? "" : " union all ")
                        .append("(select m.id, ")
                        .append(i)
                        .append(" as g, ")
                        .append(b.key() == null ? "''::text" : b.key())
                        .append(" as k from members.member m")
                        .append(baseWhere)
                        .append(" and ")
                        .append(b.condition())
                        .append(" order by ")
                        .append(b.key() == null ? "" : b.key() + " using ~<~, ")
                        .append("m.id limit :end)");
            }
            return sql.toString();
        }
    }

    /** One way a term matches: its condition and the indexed column results are ordered by (null: id). */
    record Branch(String condition, String key) {}

    /**
     * Pinyin "contains" (a trigram index) is searched only when fewer than this many members' pinyin
     * or initials start with the term: a broad term ("wang") is answered by the prefix indexes
     * alone, a rarer one ("yangna" for 欧阳娜娜) also finds the term inside the pinyin.
     */
    static final int CONTAINS_BELOW = 20;

    SearchFilter searchFilter(MemberSearch search) {
        MemberStatus status = search.status() == null ? MemberStatus.ACTIVE : search.status();
        SqlFilter f = new SqlFilter();
        // a literal, so that the partial phone-suffix index applies
        f.add("m.status = '" + status.name() + "'", "status", status.name());
        Long[] scope = CurrentStaff.scope().filterOrNull();
        if (scope != null) {
            f.add("(m.preferred_store_id = any(:scope) or m.join_store_id = any(:scope))", "scope", scope);
        }
        if (search.storeCode() != null && !search.storeCode().isBlank()) {
            long storeId = organization
                    .storeIdByCode(search.storeCode())
                    .orElseThrow(() ->
                            PatronException.unknownReference("storeCode", "error.store.notFound", search.storeCode()));
            CurrentStaff.requireStore(storeId);
            f.add("(m.preferred_store_id = :store or m.join_store_id = :store)", "store", storeId);
        }
        if (search.tag() != null && !search.tag().isBlank()) {
            f.add(
                    "exists (select 1 from members.member_tag mt join members.tag t on t.id = mt.tag_id where mt.member_id = m.id and lower(t.name) = lower(:tag))",
                    "tag",
                    search.tag().trim());
        }
        String q = search.q() == null ? null : search.q().trim();
        if (q != null && !q.isEmpty()) {
            String digits = q.replaceAll("[\\s()+-]", "");
            if (digits.matches("\\d{4,}")) {
                if (digits.length() <= 10) {
                    f.add("reverse(m.phone) like :rev", "rev", new StringBuilder(digits).reverse() + "%");
                } else {
                    String phone = Phones.normalizeMobile(q).orElse("-");
                    f.add(
                            "m.id in (select i.member_id from members.identifier i where (i.kind = 'PHONE' and i.system = '' and i.value = :phone)"
                                    + " or (i.kind = 'CARD' and i.system = '' and i.value = :card))",
                            "phone",
                            phone);
                    f.param("card", digits);
                }
            } else if (Pinyin.isLatinQuery(q)) {
                String p = Pinyin.normalizeQuery(q);
                // every branch has an index: pinyin and initials prefix (btree), pinyin contains (trigram)
                String baseWhere = f.where();
                f.param("py", like(p) + "%");
                List<Branch> branches = new ArrayList<>(List.of(
                        new Branch("m.name_pinyin like :py", "m.name_pinyin"),
                        new Branch("m.name_initials like :py and m.name_pinyin not like :py", "m.name_initials")));
                String cond = "(m.name_pinyin like :py or m.name_initials like :py";
                if (p.length() >= 3) {
                    long starting = jdbc.sql("select count(*) from ("
                                    + new SearchFilter(f, baseWhere, branches).unionAll(2) + " limit :below) c")
                            .params(f.params())
                            .param("below", CONTAINS_BELOW)
                            .query(Long.class)
                            .single();
                    if (starting < CONTAINS_BELOW) {
                        f.param("pyc", "%" + like(p) + "%");
                        branches.add(new Branch(
                                "m.name_pinyin like :pyc and m.name_pinyin not like :py and m.name_initials not like :py",
                                null));
                        cond += " or m.name_pinyin like :pyc";
                    }
                }
                f.add(cond + ")", "py", like(p) + "%");
                return new SearchFilter(f, baseWhere, List.copyOf(branches));
            } else {
                // prefix only: indexed, and how staff type Chinese names (surname first); see docs/members.md
                String baseWhere = f.where();
                f.add("m.name like :name", "name", like(q) + "%");
                return new SearchFilter(f, baseWhere, List.of(new Branch("m.name like :name", "m.name")));
            }
        }
        return new SearchFilter(f, f.where(), null);
    }

    private static String like(String s) {
        return s.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
    }

    /**
     * Streams every member matching {@code search} in the caller's scope to {@code sink}, in id
     * order and masked for the caller's role (exports of lists: ADMIN, MARKETER, ANALYST,
     * STORE_MANAGER). The export is audited before the first row is written, with its filter.
     */
    @Transactional
    public long exportList(MemberSearch search, String format, Consumer<MemberSummary> sink) {
        CurrentStaff.requireAnyRole(Role.ADMIN, Role.MARKETER, Role.ANALYST, Role.STORE_MANAGER);
        SqlFilter f = filter(search);
        boolean mask = !seesContactData();
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("format", format);
        d.put("masked", mask);
        d.put("q", search.q() == null ? "" : search.q());
        d.put("tag", search.tag() == null ? "" : search.tag());
        d.put("store", search.storeCode() == null ? "" : search.storeCode());
        audit.record("members.exported", "member", null, d);
        long count = 0;
        long lastId = 0;
        while (true) {
            List<MemberRows.SummaryRow> batch = jdbc.sql("select " + MemberRows.SUMMARY_COLUMNS
                            + " from members.member m" + f.where() + " and m.id > :after order by m.id limit 1000")
                    .params(f.params())
                    .param("after", lastId)
                    .query(MemberRows::summaryRow)
                    .list();
            if (batch.isEmpty()) {
                return count;
            }
            for (MemberSummary s : rows.summaries(batch, mask)) {
                sink.accept(s);
                count++;
            }
            lastId = batch.get(batch.size() - 1).id();
        }
    }

    // ---------------------------------------------------------------- import

    /** Stores an uploaded CSV or .xlsx file and shows its columns, first rows and a suggested mapping (ADMIN). */
    public ImportPreview uploadImport(String fileName, java.io.InputStream content) {
        CurrentStaff.requireAnyRole(Role.ADMIN);
        return imports.upload(fileName, content);
    }

    /**
     * Imports an uploaded file with a column mapping (ADMIN): rows are checked like API sign-ups,
     * duplicates of existing members (same phone or external id) and of earlier rows are skipped,
     * and the members are inserted in one transaction at the end: with ALL_OR_NOTHING nothing is
     * inserted when a row is bad. Not transactional itself: the staging runs in batches.
     */
    public ImportJob runImport(long jobId, ImportCommand cmd) {
        CurrentStaff.requireAnyRole(Role.ADMIN);
        return imports.run(jobId, cmd);
    }

    @Transactional(readOnly = true)
    public ImportJob importJob(long jobId) {
        CurrentStaff.requireAnyRole(Role.ADMIN);
        return imports.job(jobId).orElseThrow(() -> PatronException.notFound("error.members.import.notFound", jobId));
    }

    /** The import report: each bad or duplicate row with the field and the reason. */
    @Transactional(readOnly = true)
    public PageResult<ImportProblem> importProblems(long jobId, PageQuery page) {
        importJob(jobId);
        return imports.problems(jobId, page);
    }

    @Transactional(readOnly = true)
    public void forEachImportProblem(long jobId, Consumer<ImportProblem> sink) {
        importJob(jobId);
        imports.forEachProblem(jobId, sink);
    }

    // ---------------------------------------------------------------- change

    /**
     * Changes the profile fields named in {@code changes} (JSON merge patch: a field set to null is
     * cleared; unknown fields are 400). Cards, identifiers other than the primary phone and e-mail,
     * consent and notes have their own operations.
     */
    @Transactional
    public Member patch(long id, Map<String, Object> changes, boolean allowDuplicatePhone) {
        CurrentStaff.requireAnyRole(WRITERS);
        MemberRows.Row row = rows.lock(id).orElseThrow(() -> PatronException.notFound("error.members.notFound", id));
        requireVisible(row);
        requireActive(row);
        MemberProfile current = rawProfile(row);
        Map<String, Object> merged = MemberRows.JSON.convertValue(
                current, new tools.jackson.core.type.TypeReference<LinkedHashMap<String, Object>>() {});
        for (Map.Entry<String, Object> e : changes.entrySet()) {
            if (!merged.containsKey(e.getKey())) {
                throw PatronException.invalid(e.getKey(), "error.json.unknownField", e.getKey());
            }
            merged.put(e.getKey(), e.getValue());
        }
        MemberProfile profile;
        try {
            profile = MemberRows.JSON.convertValue(merged, MemberProfile.class);
        } catch (DatabindException e) {
            String field = e.getPath().isEmpty() ? "body" : e.getPath().get(0).getPropertyName();
            throw PatronException.invalid(field == null ? "body" : field, "error.json.badValue", field);
        } catch (JacksonException | IllegalArgumentException e) {
            throw PatronException.invalid("body", "error.json.malformed");
        }
        writer.update(row, profile, allowDuplicatePhone);
        return read(id, false);
    }

    /** Replaces the whole profile (console edit form): like {@link #patch} with every field. */
    @Transactional
    public Member update(long id, MemberProfile profile, boolean allowDuplicatePhone) {
        CurrentStaff.requireAnyRole(WRITERS);
        MemberRows.Row row = rows.lock(id).orElseThrow(() -> PatronException.notFound("error.members.notFound", id));
        requireVisible(row);
        requireActive(row);
        writer.update(row, profile, allowDuplicatePhone);
        return read(id, false);
    }

    /** The stored profile, unmasked, for applying changes (never returned to a masked caller). */
    MemberProfile rawProfile(MemberRows.Row row) {
        Map<Long, String> stores = organization.storeCodes(
                new TreeSet<>(java.util.stream.Stream.of(row.preferredStoreId(), row.joinStoreId())
                        .filter(Objects::nonNull)
                        .toList()));
        return new MemberProfile(
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
                stores.get(row.preferredStoreId()),
                stores.get(row.joinStoreId()),
                row.referrerId(),
                row.joinedOn(),
                row.joinChannel(),
                row.ownerStaffId(),
                row.companyName(),
                row.taxId(),
                rows.contactPersons(row.id()),
                row.institutionId(),
                rows.tags(row.id()),
                row.customFields());
    }

    /** The editable profile of a member for an edit form; phone and e-mail are blank for callers who may not see them. */
    @Transactional(readOnly = true)
    public MemberProfile profileForEdit(long id) {
        CurrentStaff.requireAnyRole(WRITERS);
        MemberRows.Row row = visibleRow(id);
        MemberProfile p = rawProfile(row);
        if (seesContactData()) {
            return p;
        }
        return new MemberProfile(
                p.kind(),
                p.name(),
                null,
                null,
                p.gender(),
                p.birthday(),
                p.region(),
                p.city(),
                p.occupation(),
                p.industry(),
                p.incomeBand(),
                p.interests(),
                p.preferredStoreCode(),
                p.joinStoreCode(),
                p.referrerId(),
                p.joinedOn(),
                p.joinChannel(),
                p.ownerStaffId(),
                p.companyName(),
                p.taxId(),
                List.of(),
                p.institutionId(),
                p.tags(),
                p.customFields());
    }

    /** Adds an external id (e.g. a WeChat openid); 409 when it belongs to a member already. */
    @Transactional
    public Member addIdentifier(long id, ExternalId externalId) {
        CurrentStaff.requireAnyRole(WRITERS);
        MemberRows.Row row = rows.lock(id).orElseThrow(() -> PatronException.notFound("error.members.notFound", id));
        requireVisible(row);
        requireActive(row);
        Problems problems = new Problems();
        ExternalId checked = MemberWriter.checkExternalId(externalId, "", problems);
        problems.throwIfAny();
        writer.addExternalIds(id, List.of(checked), i -> "value");
        audit.record("member.identifierAdded", "member", id, Map.of("system", checked.system()));
        return read(id, false);
    }

    /** Adds a note to the member's file. */
    @Transactional
    public Note addNote(long id, String body) {
        CurrentStaff.requireAnyRole(WRITERS);
        MemberRows.Row row = visibleRow(id);
        requireActive(row);
        String b = body == null ? "" : body.strip();
        if (b.isEmpty()) {
            throw PatronException.invalid("body", "validation.required");
        }
        if (b.length() > 2000) {
            throw PatronException.invalid("body", "members.validation.tooLong", 2000);
        }
        long noteId = jdbc.sql("insert into members.note(member_id, body, author) values (?, ?, ?) returning id")
                .params(id, b, CurrentStaff.get().auditName())
                .query(Long.class)
                .single();
        audit.record("member.noteAdded", "member", id, Map.of("note", noteId));
        return rows.notes(id).stream().filter(n -> n.id() == noteId).findFirst().orElseThrow();
    }

    // ---------------------------------------------------------------- cards

    /** Issues another card to a member: the given physical card number, or a new electronic card. */
    @Transactional
    public Card issueCard(long memberId, String number, CardKind kind, String storeCode) {
        CurrentStaff.requireAnyRole(WRITERS);
        MemberRows.Row row =
                rows.lock(memberId).orElseThrow(() -> PatronException.notFound("error.members.notFound", memberId));
        requireVisible(row);
        requireActive(row);
        Long storeId = storeCode == null || storeCode.isBlank()
                ? null
                : organization
                        .storeIdByCode(storeCode)
                        .orElseThrow(
                                () -> PatronException.unknownReference("storeCode", "error.store.notFound", storeCode));
        String n = writer.issueCard(memberId, number, kind, storeId, null, "cardNumber");
        audit.record("card.issued", "member", memberId, Map.of("card", n));
        return rows.card(n).orElseThrow().getValue();
    }

    /**
     * Freezes, reports lost, re-activates or cancels a card. REPLACED comes only from
     * {@link #replaceCard}; REPLACED and CANCELLED cards do not change any more (409).
     */
    @Transactional
    public Card changeCardStatus(String number, CardStatus target, String reason) {
        CurrentStaff.requireAnyRole(WRITERS);
        Map.Entry<Long, Card> card = rows.card(number == null ? "" : number.trim())
                .orElseThrow(() -> PatronException.notFound("error.members.card.notFound", number));
        MemberRows.Row row = rows.lock(card.getKey()).orElseThrow();
        requireVisible(row);
        requireActive(row);
        Card c = rows.card(card.getValue().number()).orElseThrow().getValue();
        if (target == null || target == CardStatus.REPLACED) {
            throw PatronException.invalid("status", "members.validation.cardStatus");
        }
        if (c.status().isFinal() || c.status() == target) {
            throw new PatronException(
                    HttpStatus.CONFLICT,
                    List.of(new PatronException.FieldError(
                            "status",
                            "error.members.card.transition",
                            c.status().name(),
                            target.name())),
                    "error.members.card.transition",
                    c.status().name(),
                    target.name());
        }
        writer.setCardStatus(c.id(), target, reason);
        audit.record(
                "card." + target.name().toLowerCase(java.util.Locale.ROOT),
                "member",
                row.id(),
                Map.of("card", c.number(), "from", c.status().name(), "reason", reason == null ? "" : reason));
        return rows.card(c.number()).orElseThrow().getValue();
    }

    /**
     * Replaces a card (lost, damaged, physical for electronic): the old card becomes REPLACED and
     * keeps its history; the new one (given number or generated) belongs to the same member.
     */
    @Transactional
    public Card replaceCard(String number, String newNumber, CardKind kind, String reason) {
        CurrentStaff.requireAnyRole(WRITERS);
        Map.Entry<Long, Card> card = rows.card(number == null ? "" : number.trim())
                .orElseThrow(() -> PatronException.notFound("error.members.card.notFound", number));
        MemberRows.Row row = rows.lock(card.getKey()).orElseThrow();
        requireVisible(row);
        requireActive(row);
        Card old = rows.card(card.getValue().number()).orElseThrow().getValue();
        if (old.status().isFinal()) {
            throw new PatronException(
                    HttpStatus.CONFLICT,
                    List.of(new PatronException.FieldError(
                            "status",
                            "error.members.card.transition",
                            old.status().name(),
                            CardStatus.REPLACED.name())),
                    "error.members.card.transition",
                    old.status().name(),
                    CardStatus.REPLACED.name());
        }
        String n = writer.issueCard(row.id(), newNumber, kind == null ? old.kind() : kind, null, old.id(), "newNumber");
        writer.setCardStatus(old.id(), CardStatus.REPLACED, reason == null ? "replaced by " + n : reason);
        audit.record("card.replaced", "member", row.id(), Map.of("card", old.number(), "newCard", n));
        return rows.card(n).orElseThrow().getValue();
    }

    // ---------------------------------------------------------------- consent

    /** Appends a consent grant or withdrawal to the ledger and publishes {@link ConsentChanged}. */
    @Transactional
    public ConsentEntry recordConsent(long memberId, ConsentCommand cmd) {
        CurrentStaff.requireAnyRole(WRITERS);
        MemberRows.Row row = visibleRow(memberId);
        requireActive(row);
        long id = writer.recordConsents(
                        memberId, cmd == null ? List.of() : List.of(cmd), ConsentSource.API, "", CurrentStaff.get())
                .get(0);
        return rows.consentHistory(memberId).stream()
                .filter(e -> e.id() == id)
                .findFirst()
                .orElseThrow();
    }

    /** The whole consent ledger of a member, oldest first. */
    @Transactional(readOnly = true)
    public List<ConsentEntry> consentHistory(long memberId) {
        visibleRow(memberId);
        return rows.consentHistory(memberId);
    }

    /** The current consent per channel and purpose. */
    @Transactional(readOnly = true)
    public List<ConsentState> consents(long memberId) {
        visibleRow(memberId);
        return rows.consentStates(memberId);
    }

    /**
     * "May I contact member M on channel C for purpose P now?" — asked by campaigns and messaging
     * at send time (MKT-02). True only when the member is active, has the contact data the
     * channel needs, and: for MARKETING, the latest ledger entry is a grant (no answer is a
     * refusal) and the member is not under 14 (PRV-05); for SERVICE, the member has not opted out.
     * No store scope or role check: it reveals nothing but the answer.
     */
    @Transactional(readOnly = true)
    public boolean mayContact(long memberId, ConsentChannel channel, ConsentPurpose purpose) {
        Optional<MemberRows.Row> found = rows.find(memberId);
        if (found.isEmpty() || found.get().status() != MemberStatus.ACTIVE) {
            return false;
        }
        MemberRows.Row row = found.get();
        boolean reachable = switch (channel) {
            case SMS, PHONE -> row.phone() != null;
            case EMAIL -> row.email() != null;
            case APP_PUSH -> true;
        };
        if (!reachable) {
            return false;
        }
        if (purpose == ConsentPurpose.MARKETING
                && row.birthday() != null
                && row.birthday().isAfter(LocalDate.now(ProfileRules.ZONE).minusYears(14))) {
            return false;
        }
        Optional<Boolean> latest = jdbc.sql("""
                select granted from members.consent_event where member_id = ? and channel = ? and purpose = ?
                order by at desc, id desc limit 1""")
                .params(memberId, channel.name(), purpose.name())
                .query(Boolean.class)
                .optional();
        return purpose == ConsentPurpose.MARKETING ? latest.orElse(false) : latest.orElse(true);
    }

    // ---------------------------------------------------------------- personalisation (PRV-09)

    /**
     * Switches the member's "no personalised recommendations / marketing" choice on or off (PRV-09):
     * sets the state, appends the history (time, source, store, operator, evidence), audits
     * {@code member.personalisation} and publishes {@link PersonalisationChanged}. Same roles and
     * store scope as consent; 409 for a member that is not active.
     */
    @Transactional
    public PersonalisationEntry changePersonalisation(long memberId, PersonalisationCommand cmd) {
        return changePersonalisation(memberId, cmd, ConsentSource.API);
    }

    /** As {@link #changePersonalisation(long, PersonalisationCommand)}, with the source used when the command names none. */
    @Transactional
    public PersonalisationEntry changePersonalisation(
            long memberId, PersonalisationCommand cmd, ConsentSource defaultSource) {
        CurrentStaff.requireAnyRole(WRITERS);
        MemberRows.Row row =
                rows.lock(memberId).orElseThrow(() -> PatronException.notFound("error.members.notFound", memberId));
        requireVisible(row);
        requireActive(row);
        return personalisation.change(memberId, cmd, defaultSource, CurrentStaff.get());
    }

    /** The member's current personalisation choice (404 / 403 like the 360 view). */
    @Transactional(readOnly = true)
    public PersonalisationState personalisation(long memberId) {
        visibleRow(memberId);
        return personalisation.state(memberId);
    }

    /**
     * Whether the member switched personalisation off (PRV-09) — asked by profiling modules before
     * they compute or show a profile. No role or scope check: it reveals nothing but the answer;
     * false for an unknown member.
     */
    @Transactional(readOnly = true)
    public boolean personalisationSwitchedOff(long memberId) {
        return personalisation.state(memberId).switchedOff();
    }

    /** Every change of the member's personalisation choice, oldest first. */
    @Transactional(readOnly = true)
    public List<PersonalisationEntry> personalisationHistory(long memberId) {
        visibleRow(memberId);
        return personalisation.history(memberId);
    }

    // ---------------------------------------------------------------- duplicates and merges

    /** Active members that are likely the same person as {@code id} (same phone, e-mail, or name and birthday). */
    @Transactional(readOnly = true)
    public List<DuplicateCandidate> duplicatesOf(long id) {
        visibleRow(id);
        return merges.duplicatesOf(id, !seesContactData());
    }

    /** Likely duplicate pairs among members in the caller's scope, for the merge screen. */
    @Transactional(readOnly = true)
    public PageResult<DuplicateCandidate> duplicates(PageQuery page) {
        return merges.duplicates(page, !seesContactData());
    }

    /**
     * Merges {@code mergedId} into {@code survivorId}: its identifiers, cards, notes, consent ledger,
     * tags and blank profile fields move to the survivor; it becomes MERGED; {@link MembersMerged}
     * tells other modules to move history and balances. Safe under concurrent merges (rows are
     * locked in id order). ADMIN or STORE_MANAGER with both members in scope.
     */
    @Transactional
    public MergeRecord merge(long survivorId, long mergedId) {
        CurrentStaff.requireAnyRole(Role.ADMIN, Role.STORE_MANAGER);
        return merges.merge(survivorId, mergedId);
    }

    /** Undoes a merge within the undo window (ADMIN): what moved goes back; the merged member is active again. */
    @Transactional
    public MergeRecord unmerge(long survivorId, long mergeId) {
        CurrentStaff.requireAnyRole(Role.ADMIN);
        return merges.unmerge(survivorId, mergeId);
    }

    /** Merges in which the member took part (as survivor or merged), newest first. */
    @Transactional(readOnly = true)
    public List<MergeRecord> merges(long memberId) {
        visibleRow(memberId);
        return merges.history(memberId);
    }

    // ---------------------------------------------------------------- privacy: export and erasure

    /**
     * Everything the member file holds about a member, unmasked, as a JSON-ready map (PIPL art.
     * 45, PRV-08). ADMIN only; audited as {@code member.exported}.
     */
    @Transactional
    public Map<String, Object> exportData(long id) {
        CurrentStaff.requireAnyRole(Role.ADMIN);
        MemberRows.Row row = visibleRow(id);
        Member m = view(row, false);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("exportedAt", Instant.now());
        out.put("member", m);
        out.put("cardHistory", rows.cardEvents(id));
        out.put("consentLedger", rows.consentHistory(id));
        out.put("personalisationHistory", personalisation.history(id));
        out.put("merges", merges.history(id));
        Map<String, Object> contributed = new LinkedHashMap<>();
        for (PanelView p : panels(id)) {
            contributed.put(p.key(), p.data());
        }
        out.put("panels", contributed);
        audit.record("member.exported", "member", id, Map.of("format", "json"));
        return out;
    }

    /**
     * Erases a member on request (PIPL art. 47, PRV-11): name, contact data, exact birthday,
     * identifiers, contact persons, notes and custom fields are removed; cards are cancelled and no
     * longer find anyone; what statistics need stays (kind, gender, birth year, city, stores, join
     * date and channel, tags) and the consent ledger is kept as evidence (MKT-14). ADMIN only.
     */
    @Transactional
    public Member erase(long id, String reason) {
        CurrentStaff.requireAnyRole(Role.ADMIN);
        MemberRows.Row row = rows.lock(id).orElseThrow(() -> PatronException.notFound("error.members.notFound", id));
        requireVisible(row);
        requireActive(row);
        writer.erase(row);
        audit.record("member.erased", "member", id, Map.of("reason", reason == null ? "" : reason));
        events.publishEvent(new MemberErased(id));
        return read(id, false);
    }

    // ---------------------------------------------------------------- tags and custom fields

    /** All tags with how many active members carry them (managed first). */
    @Transactional(readOnly = true)
    public List<MemberTag> tags() {
        return jdbc.sql("""
                select t.id, t.name, t.managed,
                       (select count(*) from members.member_tag mt join members.member m on m.id = mt.member_id
                        where mt.tag_id = t.id and m.status = 'ACTIVE') as members
                from members.tag t order by t.managed desc, t.name""")
                .query((rs, n) -> new MemberTag(rs.getLong(1), rs.getString(2), rs.getBoolean(3), rs.getLong(4)))
                .list();
    }

    /** Defines a managed tag (ADMIN); an existing free tag of that name becomes managed. */
    @Transactional
    public MemberTag defineTag(String name) {
        CurrentStaff.requireAnyRole(Role.ADMIN);
        String n = ProfileRules.trim(name);
        if (n == null) {
            throw PatronException.invalid("name", "validation.required");
        }
        if (n.length() > 30) {
            throw PatronException.invalid("name", "members.validation.tooLong", 30);
        }
        jdbc.sql(
                        "insert into members.tag(name, managed) values (?, true) on conflict ((lower(name))) do update set managed = true")
                .param(n)
                .update();
        audit.record("memberTag.defined", "memberTag", n, Map.of());
        return tags().stream()
                .filter(t -> t.name().equalsIgnoreCase(n))
                .findFirst()
                .orElseThrow();
    }

    @Transactional(readOnly = true)
    public List<CustomField> customFields() {
        return rules.definitions();
    }

    /** Defines or changes a custom profile field (ADMIN). Codes are {@code [a-z][a-zA-Z0-9_]*}, at most 40 characters. */
    @Transactional
    public CustomField defineCustomField(CustomField def) {
        CurrentStaff.requireAnyRole(Role.ADMIN);
        Problems p = new Problems();
        if (def.code() == null || !def.code().matches("^[a-z][a-zA-Z0-9_]{0,39}$")) {
            p.add("code", "members.validation.customField.code");
        }
        if (ProfileRules.trim(def.label()) == null) {
            p.add("label", "validation.required");
        }
        if (def.type() == null) {
            p.add("type", "validation.required");
        }
        List<String> choices = def.choices() == null
                ? List.of()
                : def.choices().stream()
                        .map(ProfileRules::trim)
                        .filter(Objects::nonNull)
                        .distinct()
                        .toList();
        if (def.type() == CustomFieldType.CHOICE && choices.isEmpty()) {
            p.add("choices", "members.validation.customField.choices");
        }
        p.throwIfAny();
        jdbc.sql("""
                insert into members.custom_field(code, label, type, choices, required, active) values (?, ?, ?, ?, ?, ?)
                on conflict (code) do update set label = excluded.label, type = excluded.type, choices = excluded.choices,
                    required = excluded.required, active = excluded.active""")
                .params(
                        def.code(),
                        def.label().trim(),
                        def.type().name(),
                        choices.toArray(String[]::new),
                        def.required(),
                        def.active())
                .update();
        audit.record(
                "memberCustomField.defined",
                "memberCustomField",
                def.code(),
                Map.of("type", def.type().name(), "required", def.required(), "active", def.active()));
        return rules.definitions().stream()
                .filter(d -> d.code().equals(def.code()))
                .findFirst()
                .orElseThrow();
    }

    // ---------------------------------------------------------------- counts (home page)

    /** Active members in the caller's scope. */
    @Transactional(readOnly = true)
    public long countActive() {
        SqlFilter f = filter(new MemberSearch(null, null, null, MemberStatus.ACTIVE));
        return jdbc.sql("select count(*) from members.member m" + f.where())
                .params(f.params())
                .query(Long.class)
                .single();
    }
}
