package dev.patron.segments.web;

import dev.patron.segments.MemberSegment;
import dev.patron.segments.Segment;
import dev.patron.segments.SegmentCommand;
import dev.patron.segments.SegmentDefinition;
import dev.patron.segments.SegmentMember;
import dev.patron.segments.SegmentPreview;
import dev.patron.segments.SegmentSizeDay;
import dev.patron.segments.SegmentSnapshot;
import dev.patron.segments.Segments;
import dev.patron.segments.StaticListUpload;
import dev.patron.segments.StaticLists;
import dev.patron.shared.web.PageQuery;
import dev.patron.shared.web.PageResult;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.List;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** Rule segments, static lists, snapshots and a member's current segments. */
@RestController
@RequestMapping("/api/v1")
@Tag(
        name = "Segments",
        description = "Rule segments (AND/OR conditions on profile, facts, events, RFM, points, lists),"
                + " static lists, snapshots for campaigns")
class SegmentRestController {

    private final Segments segments;
    private final StaticLists lists;

    SegmentRestController(Segments segments, StaticLists lists) {
        this.segments = segments;
        this.lists = lists;
    }

    @GetMapping("/members/{id}/segments")
    @Operation(summary = "The segments a member is in now (re-evaluated on every sale, profile, tier and facts change)")
    List<MemberSegment> ofMember(@PathVariable long id) {
        return segments.segmentsOf(id);
    }

    @GetMapping("/segments")
    @Operation(
            summary = "Segments (paged; q filters name and description; sort name, kind, memberCount, lastRefreshedAt,"
                    + " updatedAt; - for descending). MARKETER, ANALYST, ADMIN with all stores")
    PageResult<Segment> list(
            @RequestParam(required = false) Integer page,
            @RequestParam(required = false) Integer size,
            @RequestParam(required = false) String q,
            @RequestParam(required = false) String sort) {
        return segments.list(PageQuery.of(page, size, q, sort));
    }

    @PostMapping("/segments")
    @Operation(
            summary = "Create a rule segment; it is evaluated at once (MARKETER, ADMIN; audited)",
            description =
                    "400 names each condition that cannot be evaluated (unknown field, operator, value type, unknown"
                            + " brand / category / store / tier / list), e.g. definition.root.items[1].value")
    ResponseEntity<Segment> create(@RequestBody SegmentCommand cmd) {
        return ResponseEntity.status(201).body(segments.create(cmd));
    }

    @PostMapping("/segments/static")
    @Operation(
            summary = "Create a static list from phones, card numbers or member ids (one per line, CSV: first column);"
                    + " answers the rows that matched no member (MARKETER, ADMIN; audited)")
    ResponseEntity<StaticListUpload> upload(@RequestBody StaticListUpload.Command cmd) {
        return ResponseEntity.status(201).body(lists.upload(cmd));
    }

    @PostMapping("/segments/preview")
    @Operation(summary = "Count and 20 sample members (masked phones) a definition selects now; nothing is stored")
    SegmentPreview preview(@RequestBody SegmentDefinition definition) {
        return segments.preview(definition);
    }

    @GetMapping("/segments/{id}")
    @Operation(summary = "One segment with its definition and warnings (e.g. a brand deactivated since)")
    Segment get(@PathVariable long id) {
        return segments.segment(id);
    }

    @PutMapping("/segments/{id}")
    @Operation(summary = "Change a segment (name, description, definition for rule segments); re-evaluated at once")
    Segment update(@PathVariable long id, @RequestBody SegmentCommand cmd) {
        return segments.update(id, cmd);
    }

    @DeleteMapping("/segments/{id}")
    @Operation(summary = "Delete a segment (its snapshots stay)")
    ResponseEntity<Void> delete(@PathVariable long id) {
        segments.delete(id);
        return ResponseEntity.noContent().build();
    }

    @GetMapping("/segments/{id}/members")
    @Operation(summary = "The segment's members, paged (sort memberId, name, since; q filters the name; phones masked)")
    PageResult<SegmentMember> members(
            @PathVariable long id,
            @RequestParam(required = false) Integer page,
            @RequestParam(required = false) Integer size,
            @RequestParam(required = false) String q,
            @RequestParam(required = false) String sort) {
        return segments.members(id, PageQuery.of(page, size, q, sort));
    }

    @GetMapping("/segments/{id}/sizes")
    @Operation(summary = "The segment's size per day over the last `days` days (1-366, default 30)")
    List<SegmentSizeDay> sizes(@PathVariable long id, @RequestParam(required = false) Integer days) {
        int d = days == null ? 30 : days;
        if (d < 1 || d > 366) {
            throw dev.patron.shared.web.PatronException.invalid("days", "segment.validation.sizeDays", 1, 366);
        }
        return segments.sizeHistory(id, d);
    }

    @PostMapping("/segments/refresh")
    @Operation(
            summary = "Refresh every segment now, as the nightly job does after the facts roll (ADMIN with all"
                    + " stores; audited)")
    Segments.RefreshAll refreshAll() {
        return segments.refreshAll();
    }

    @PostMapping("/segments/{id}/refresh")
    @Operation(summary = "Full refresh now (MARKETER, ADMIN)")
    Segment refresh(@PathVariable long id) {
        return segments.refresh(id);
    }

    @PostMapping("/segments/{id}/snapshots")
    @Operation(summary = "Freeze the segment's members now, for a campaign (MARKETER, ADMIN; audited)")
    ResponseEntity<SegmentSnapshot> snapshot(@PathVariable long id) {
        return ResponseEntity.status(201).body(segments.snapshot(id));
    }

    @GetMapping("/segments/{id}/snapshots")
    @Operation(summary = "The segment's snapshots, newest first")
    List<SegmentSnapshot> snapshots(@PathVariable long id) {
        return segments.snapshots(id);
    }
}
