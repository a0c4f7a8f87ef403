package dev.patron.campaigns.web;

import dev.patron.campaigns.Audience;
import dev.patron.campaigns.Campaign;
import dev.patron.campaigns.CampaignCommand;
import dev.patron.campaigns.CampaignResults;
import dev.patron.campaigns.CampaignSettings;
import dev.patron.campaigns.CampaignStatus;
import dev.patron.campaigns.CampaignSummary;
import dev.patron.campaigns.CampaignTracking;
import dev.patron.campaigns.Campaigns;
import dev.patron.campaigns.Channel;
import dev.patron.campaigns.Preview;
import dev.patron.campaigns.Progress;
import dev.patron.shared.web.PageQuery;
import dev.patron.shared.web.PageResult;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** Campaigns over REST: plan, audience, lifecycle, preview and test send, progress, results, settings. */
@RestController
@RequestMapping("/api/v1/campaigns")
@Tag(name = "Campaigns", description = "Member campaigns: plan, approve, send, track, measure")
class CampaignRestController {

    private final Campaigns campaigns;
    private final CampaignTracking tracking;

    CampaignRestController(Campaigns campaigns, CampaignTracking tracking) {
        this.campaigns = campaigns;
        this.tracking = tracking;
    }

    @GetMapping
    @Operation(summary = "Campaigns (paged; q searches the name; sort id, name, status, periodStart, kind)")
    PageResult<CampaignSummary> list(
            @RequestParam(required = false) String q,
            @RequestParam(required = false) String sort,
            @RequestParam(required = false) Integer page,
            @RequestParam(required = false) Integer size,
            @RequestParam(required = false) CampaignStatus status) {
        return campaigns.list(PageQuery.of(page, size, q, sort), status);
    }

    @PostMapping
    @Operation(summary = "Create a draft (MARKETER or ADMIN with all stores; audited)")
    ResponseEntity<Campaign> create(@RequestBody CampaignCommand command) {
        return ResponseEntity.status(201).body(campaigns.create(command));
    }

    @GetMapping("/{id}")
    @Operation(summary = "A campaign with its templates and lifecycle steps")
    Campaign get(@PathVariable long id) {
        return campaigns.campaign(id);
    }

    @PutMapping("/{id}")
    @Operation(summary = "Change a draft")
    Campaign update(@PathVariable long id, @RequestBody CampaignCommand command) {
        return campaigns.update(id, command);
    }

    record AudienceRequest(Audience.AudienceKind kind, List<String> entries, Long snapshotId) {}

    @PutMapping("/{id}/audience")
    @Operation(
            summary =
                    "Set the draft's audience: a static list of phones, card numbers or member ids (M123); returns the row report")
    Audience.Report audience(@PathVariable long id, @RequestBody AudienceRequest request) {
        Audience a = request.kind() == Audience.AudienceKind.SEGMENT_SNAPSHOT
                ? new Audience.SegmentSnapshot(request.snapshotId() == null ? 0 : request.snapshotId())
                : new Audience.StaticList(request.entries());
        return campaigns.setAudience(id, a);
    }

    @GetMapping("/{id}/audience")
    @Operation(summary = "The row report of the uploaded list")
    Audience.Report audienceReport(@PathVariable long id) {
        return campaigns.audienceReport(id);
    }

    record StepRequest(String comment, Instant sendAt) {}

    @PostMapping("/{id}/submit")
    @Operation(summary = "DRAFT → SUBMITTED")
    Campaign submit(@PathVariable long id, @RequestBody(required = false) StepRequest r) {
        return campaigns.submit(id, r == null ? null : r.comment());
    }

    @PostMapping("/{id}/approve")
    @Operation(
            summary =
                    "SUBMITTED → APPROVED by a second person (not the submitter); freezes the audience and draws the control group; 422 with the reason for unknown template variables or no eligible recipient")
    Campaign approve(@PathVariable long id, @RequestBody(required = false) StepRequest r) {
        return campaigns.approve(id, r == null ? null : r.comment());
    }

    @PostMapping("/{id}/reject")
    @Operation(summary = "SUBMITTED → DRAFT with a comment")
    Campaign reject(@PathVariable long id, @RequestBody StepRequest r) {
        return campaigns.reject(id, r == null ? null : r.comment());
    }

    @PostMapping("/{id}/schedule")
    @Operation(summary = "APPROVED → SCHEDULED; sending starts at sendAt (now when absent)")
    Campaign schedule(@PathVariable long id, @RequestBody(required = false) StepRequest r) {
        return campaigns.schedule(id, r == null ? null : r.sendAt(), r == null ? null : r.comment());
    }

    @PostMapping("/{id}/cancel")
    @Operation(summary = "Cancel (any state before FINISHED); unsent messages are suppressed")
    Campaign cancel(@PathVariable long id, @RequestBody(required = false) StepRequest r) {
        return campaigns.cancel(id, r == null ? null : r.comment());
    }

    @PostMapping("/{id}/copy")
    @Operation(summary = "Copy as new (PDCA): a new draft linked to this campaign")
    ResponseEntity<Campaign> copy(@PathVariable long id) {
        return ResponseEntity.status(201).body(campaigns.copy(id));
    }

    record GiftsRequest(Integer giftsHandedOut) {}

    @PutMapping("/{id}/gifts")
    @Operation(summary = "Record how many gifts were handed out (for the cost)")
    Campaign gifts(@PathVariable long id, @RequestBody GiftsRequest r) {
        if (r == null || r.giftsHandedOut() == null) {
            throw dev.patron.shared.web.PatronException.invalid("giftsHandedOut", "validation.required");
        }
        return campaigns.recordGifts(id, r.giftsHandedOut());
    }

    @GetMapping("/{id}/preview")
    @Operation(summary = "The message a member would get (sample data without memberId); member previews are audited")
    Preview preview(
            @PathVariable long id, @RequestParam Channel channel, @RequestParam(required = false) Long memberId) {
        return memberId == null ? campaigns.previewSample(id, channel) : campaigns.preview(id, memberId, channel);
    }

    record TestSendRequest(Channel channel, String address, Long memberId) {}

    @PostMapping("/{id}/test-send")
    @Operation(summary = "Send the message to a staff address (not counted; audited)")
    ResponseEntity<Void> testSend(@PathVariable long id, @RequestBody TestSendRequest r) {
        campaigns.testSend(id, r.channel(), r.address(), r.memberId());
        return ResponseEntity.accepted().build();
    }

    @GetMapping("/{id}/progress")
    @Operation(summary = "Messages per channel and state, suppression reasons, paused channels")
    Progress progress(@PathVariable long id) {
        return campaigns.progress(id);
    }

    @GetMapping("/{id}/results")
    @Operation(summary = "Response vs control over the attribution window: lift with 95% CI, funnel, links, cost, ROI")
    CampaignResults results(@PathVariable long id) {
        return campaigns.results(id);
    }

    @GetMapping("/comparison")
    @Operation(summary = "Results of up to 10 campaigns side by side")
    List<CampaignResults> compare(@RequestParam List<Long> ids) {
        return campaigns.compare(ids);
    }

    @GetMapping("/settings")
    @Operation(summary = "Campaign settings")
    CampaignSettings settings() {
        return campaigns.settings();
    }

    @PutMapping("/settings")
    @Operation(summary = "Change the campaign settings (ADMIN with all stores; audited)")
    CampaignSettings updateSettings(@RequestBody CampaignSettings settings) {
        return campaigns.updateSettings(settings);
    }

    @GetMapping("/settings/sms-callback-secret")
    @Operation(summary = "The HMAC secret of the SMS gateway callback (ADMIN; audited)")
    Map<String, String> callbackSecret() {
        return Map.of("secret", tracking.smsCallbackSecret());
    }

    @PostMapping("/channels/{channel}/resume")
    @Operation(summary = "Resume a channel paused by a gateway failure")
    ResponseEntity<Void> resume(@PathVariable Channel channel) {
        campaigns.resumeChannel(channel);
        return ResponseEntity.noContent().build();
    }

    @PostMapping("/bounces")
    @Operation(summary = "Report a bounce: HARD marks the address invalid, SOFT retries (MARKETER or ADMIN)")
    ResponseEntity<Void> bounce(@RequestBody CampaignTracking.BounceCommand command) {
        tracking.bounce(command);
        return ResponseEntity.noContent().build();
    }
}
