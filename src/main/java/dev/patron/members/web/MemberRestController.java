package dev.patron.members.web;

import dev.patron.members.Card;
import dev.patron.members.CardKind;
import dev.patron.members.CardStatus;
import dev.patron.members.ConsentChannel;
import dev.patron.members.ConsentCommand;
import dev.patron.members.ConsentEntry;
import dev.patron.members.ConsentPurpose;
import dev.patron.members.ConsentState;
import dev.patron.members.CustomField;
import dev.patron.members.CustomFieldType;
import dev.patron.members.DuplicateCandidate;
import dev.patron.members.ExternalId;
import dev.patron.members.IdentifierKind;
import dev.patron.members.JoinChannel;
import dev.patron.members.Member;
import dev.patron.members.MemberCommand;
import dev.patron.members.MemberLookup;
import dev.patron.members.MemberManagement;
import dev.patron.members.MemberSearch;
import dev.patron.members.MemberStatus;
import dev.patron.members.MemberSummary;
import dev.patron.members.MemberTag;
import dev.patron.members.MergeRecord;
import dev.patron.members.Note;
import dev.patron.shared.web.PageQuery;
import dev.patron.shared.web.PageResult;
import dev.patron.shared.web.PatronException;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.springframework.context.MessageSource;
import org.springframework.context.i18n.LocaleContextHolder;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.ResponseEntity;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * REST API of the member file. Members are addressed by id; cards by number. Lists are paged
 * ({@code page}, {@code size}, {@code sort=name|joinedOn|id}, {@code -} for descending).
 */
@RestController
@RequestMapping("/api/v1")
@Tag(name = "Members", description = "Member profiles, cards, identity lookup, consent, duplicates and merges, privacy")
class MemberRestController {

    static final int MAX_BATCH = 1000;

    private final MemberManagement members;
    private final MessageSource messages;

    MemberRestController(MemberManagement members, MessageSource messages) {
        this.members = members;
        this.messages = messages;
    }

    // ---- enrol

    @PostMapping("/members")
    @Operation(summary = "Enrol a member (issues an electronic card unless a physical card number is given)")
    ResponseEntity<Member> create(@RequestBody MemberCommand cmd) {
        Member m = members.create(cmd, JoinChannel.API);
        return ResponseEntity.created(URI.create("/api/v1/members/" + m.id())).body(m);
    }

    record BatchRequest(List<MemberCommand> members) {}

    record BatchError(String field, String message) {}

    record BatchItem(int index, int status, Long id, String message, List<BatchError> errors) {}

    record BatchResult(int created, int failed, List<BatchItem> results) {}

    @PostMapping("/members/batch")
    @Operation(
            summary = "Enrol up to 1,000 members; each item succeeds or fails on its own (per-item status and errors)")
    BatchResult batch(@RequestBody BatchRequest request) {
        List<MemberCommand> items = request.members() == null ? List.of() : request.members();
        if (items.isEmpty()) {
            throw PatronException.invalid("members", "validation.required");
        }
        if (items.size() > MAX_BATCH) {
            throw PatronException.invalid("members", "members.validation.batchSize", MAX_BATCH);
        }
        List<BatchItem> results = new ArrayList<>();
        int created = 0;
        for (int i = 0; i < items.size(); i++) {
            MemberCommand cmd = items.get(i);
            try {
                if (cmd == null) {
                    throw PatronException.invalid("members[" + i + "]", "validation.required");
                }
                Member m = members.create(cmd, JoinChannel.API);
                results.add(new BatchItem(i, 201, m.id(), null, List.of()));
                created++;
            } catch (PatronException e) {
                List<BatchError> errors = e.fieldErrors().stream()
                        .map(fe -> new BatchError(fe.field(), msg(fe.messageKey(), fe.args())))
                        .toList();
                results.add(new BatchItem(i, e.status().value(), null, msg(e.messageKey(), e.args()), errors));
            } catch (AccessDeniedException e) {
                String key = e.getMessage() != null && e.getMessage().startsWith("error.")
                        ? e.getMessage()
                        : "error.forbidden";
                results.add(new BatchItem(i, 403, null, msg(key), List.of()));
            } catch (DuplicateKeyException e) {
                results.add(new BatchItem(i, 409, null, msg("error.duplicate"), List.of()));
            }
        }
        return new BatchResult(created, items.size() - created, results);
    }

    // ---- find and read

    @GetMapping("/members")
    @Operation(
            summary =
                    "Search members in the caller's stores: q matches name, pinyin, initials, phone suffix or card number")
    PageResult<MemberSummary> search(
            @RequestParam(required = false) Integer page,
            @RequestParam(required = false) Integer size,
            @RequestParam(required = false) String q,
            @RequestParam(required = false) String sort,
            @RequestParam(required = false) String tag,
            @RequestParam(required = false) String store,
            @RequestParam(required = false) MemberStatus status) {
        return members.search(new MemberSearch(q, tag, store, status), PageQuery.of(page, size, q, sort));
    }

    @GetMapping("/members/lookup")
    @Operation(
            summary =
                    "Find the member by exactly one of phone, card, email or system+externalId (404 when nobody matches)")
    MemberLookup lookup(
            @RequestParam(required = false) String phone,
            @RequestParam(required = false) String card,
            @RequestParam(required = false) String email,
            @RequestParam(required = false) String system,
            @RequestParam(required = false) String externalId) {
        int given = (phone != null ? 1 : 0)
                + (card != null ? 1 : 0)
                + (email != null ? 1 : 0)
                + (externalId != null ? 1 : 0);
        if (given != 1) {
            throw PatronException.invalid(given == 0 ? "phone" : "query", "members.validation.lookup");
        }
        IdentifierKind kind = phone != null
                ? IdentifierKind.PHONE
                : card != null ? IdentifierKind.CARD : email != null ? IdentifierKind.EMAIL : IdentifierKind.EXTERNAL;
        String value = phone != null ? phone : card != null ? card : email != null ? email : externalId;
        return members.lookup(kind, system, value).orElseThrow(() -> PatronException.notFound("error.members.noMatch"));
    }

    @GetMapping("/members/{id}")
    @Operation(
            summary = "The member's 360 view: profile, cards, identifiers, consent, tags, notes and contributed panels")
    Member member(@PathVariable long id) {
        return members.member(id);
    }

    @PatchMapping(
            path = "/members/{id}",
            consumes = {"application/json", "application/merge-patch+json"})
    @Operation(summary = "Change profile fields (JSON merge patch; null clears a field)")
    Member patch(
            @PathVariable long id,
            @RequestBody Map<String, Object> changes,
            @RequestParam(defaultValue = "false") boolean allowDuplicatePhone) {
        return members.patch(id, changes, allowDuplicatePhone);
    }

    @PostMapping("/members/{id}/identifiers")
    @Operation(summary = "Add an external id, e.g. {\"system\": \"wechat\", \"value\": \"o6_bmj...\"}")
    Member addIdentifier(@PathVariable long id, @RequestBody ExternalId externalId) {
        return members.addIdentifier(id, externalId);
    }

    record NoteRequest(String body) {}

    @PostMapping("/members/{id}/notes")
    @Operation(summary = "Add a note to the member's file")
    ResponseEntity<Note> addNote(@PathVariable long id, @RequestBody NoteRequest request) {
        return ResponseEntity.status(201).body(members.addNote(id, request.body()));
    }

    // ---- cards

    record CardRequest(String number, CardKind kind, String storeCode) {}

    @PostMapping("/members/{id}/cards")
    @Operation(summary = "Issue another card: a physical card's number, or none for a new electronic card")
    ResponseEntity<Card> issueCard(@PathVariable long id, @RequestBody CardRequest request) {
        Card card = members.issueCard(id, request.number(), request.kind(), request.storeCode());
        return ResponseEntity.created(URI.create("/api/v1/cards/" + card.number()))
                .body(card);
    }

    record CardStatusRequest(CardStatus status, String reason) {}

    @PostMapping("/cards/{number}/status")
    @Operation(summary = "Freeze, report lost, re-activate or cancel a card")
    Card cardStatus(@PathVariable String number, @RequestBody CardStatusRequest request) {
        return members.changeCardStatus(number, request.status(), request.reason());
    }

    record ReplaceRequest(String newNumber, CardKind kind, String reason) {}

    @PostMapping("/cards/{number}/replace")
    @Operation(summary = "Replace a card: the old one becomes REPLACED, the new one belongs to the same member")
    ResponseEntity<Card> replaceCard(@PathVariable String number, @RequestBody ReplaceRequest request) {
        Card card = members.replaceCard(number, request.newNumber(), request.kind(), request.reason());
        return ResponseEntity.created(URI.create("/api/v1/cards/" + card.number()))
                .body(card);
    }

    // ---- consent

    record Consents(List<ConsentState> current, List<ConsentEntry> history) {}

    @GetMapping("/members/{id}/consents")
    @Operation(summary = "Current consent per channel and purpose, and the whole ledger")
    Consents consents(@PathVariable long id) {
        return new Consents(members.consents(id), members.consentHistory(id));
    }

    @PostMapping("/members/{id}/consents")
    @Operation(summary = "Record a consent grant or withdrawal (append-only ledger)")
    ResponseEntity<ConsentEntry> recordConsent(@PathVariable long id, @RequestBody ConsentCommand cmd) {
        return ResponseEntity.status(201).body(members.recordConsent(id, cmd));
    }

    record MayContact(long memberId, ConsentChannel channel, ConsentPurpose purpose, boolean allowed) {}

    @GetMapping("/members/{id}/consents/check")
    @Operation(summary = "May the member be contacted on this channel for this purpose now?")
    MayContact mayContact(
            @PathVariable long id,
            @RequestParam ConsentChannel channel,
            @RequestParam(defaultValue = "MARKETING") ConsentPurpose purpose) {
        members.consents(id); // 404 / 403 like the other member endpoints
        return new MayContact(id, channel, purpose, members.mayContact(id, channel, purpose));
    }

    // ---- duplicates and merges

    @GetMapping("/members/duplicates")
    @Operation(summary = "Likely duplicate pairs (same phone, e-mail, or name and birthday) among the caller's members")
    PageResult<DuplicateCandidate> duplicates(
            @RequestParam(required = false) Integer page, @RequestParam(required = false) Integer size) {
        return members.duplicates(PageQuery.of(page, size, null, null));
    }

    @GetMapping("/members/{id}/duplicates")
    @Operation(summary = "Likely duplicates of one member")
    List<DuplicateCandidate> duplicatesOf(@PathVariable long id) {
        return members.duplicatesOf(id);
    }

    record MergeRequest(Long memberId) {}

    @PostMapping("/members/{id}/merge")
    @Operation(summary = "Merge member memberId into this member (the survivor); undoable by an admin for 30 days")
    MergeRecord merge(@PathVariable long id, @RequestBody MergeRequest request) {
        if (request.memberId() == null) {
            throw PatronException.invalid("memberId", "validation.required");
        }
        return members.merge(id, request.memberId());
    }

    @GetMapping("/members/{id}/merges")
    @Operation(summary = "Merges this member took part in")
    List<MergeRecord> merges(@PathVariable long id) {
        return members.merges(id);
    }

    @PostMapping("/members/{id}/merges/{mergeId}/undo")
    @Operation(summary = "Undo a merge (ADMIN, within 30 days)")
    MergeRecord unmerge(@PathVariable long id, @PathVariable long mergeId) {
        return members.unmerge(id, mergeId);
    }

    // ---- privacy

    @GetMapping("/members/{id}/export")
    @Operation(summary = "Everything held about the member as JSON (ADMIN; audited)")
    ResponseEntity<Map<String, Object>> export(@PathVariable long id) {
        return ResponseEntity.ok()
                .header(HttpHeaders.CONTENT_DISPOSITION, "attachment; filename=\"member-" + id + ".json\"")
                .body(members.exportData(id));
    }

    record EraseRequest(String reason) {}

    @PostMapping("/members/{id}/erase")
    @Operation(summary = "Erase the member on request: personal data removed, statistics kept (ADMIN; audited)")
    Member erase(@PathVariable long id, @RequestBody(required = false) EraseRequest request) {
        return members.erase(id, request == null ? null : request.reason());
    }

    // ---- tags and custom fields

    @GetMapping("/member-tags")
    @Operation(summary = "Tags with member counts")
    List<MemberTag> tags() {
        return members.tags();
    }

    record TagRequest(String name) {}

    @PostMapping("/member-tags")
    @Operation(summary = "Define a managed tag (ADMIN)")
    ResponseEntity<MemberTag> defineTag(@RequestBody TagRequest request) {
        return ResponseEntity.status(201).body(members.defineTag(request.name()));
    }

    @GetMapping("/member-custom-fields")
    @Operation(summary = "Custom profile fields defined by admins")
    List<CustomField> customFields() {
        return members.customFields();
    }

    record CustomFieldRequest(
            String label, CustomFieldType type, List<String> choices, Boolean required, Boolean active) {}

    @PutMapping("/member-custom-fields/{code}")
    @Operation(summary = "Define or change a custom profile field (ADMIN)")
    CustomField defineCustomField(@PathVariable String code, @RequestBody CustomFieldRequest r) {
        return members.defineCustomField(new CustomField(
                code,
                r.label(),
                r.type(),
                r.choices(),
                Boolean.TRUE.equals(r.required()),
                r.active() == null || r.active()));
    }

    private String msg(String key, Object... args) {
        Locale locale = LocaleContextHolder.getLocale();
        return messages.getMessage(key, args, key, locale);
    }
}
