package dev.patron.campaigns.web;

import dev.patron.campaigns.Complaints;
import dev.patron.campaigns.MemberLanguage;
import dev.patron.campaigns.MemberLanguages;
import dev.patron.campaigns.SmsGateway;
import dev.patron.campaigns.Triggers;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.List;
import java.util.Map;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** The SMS gateway, the entrusted-processor register and members' message languages over REST. */
@RestController
@RequestMapping("/api/v1/campaigns")
@Tag(name = "Campaigns", description = "Member campaigns: plan, approve, send, track, measure")
class CampaignGatewayRestController {

    private final SmsGateway gateway;
    private final MemberLanguages languages;
    private final Triggers triggers;
    private final Complaints complaints;

    CampaignGatewayRestController(
            SmsGateway gateway, MemberLanguages languages, Triggers triggers, Complaints complaints) {
        this.gateway = gateway;
        this.languages = languages;
        this.triggers = triggers;
        this.complaints = complaints;
    }

    @GetMapping("/complaints")
    @Operation(summary = "Complaints about marketing messages, open ones first by due date (MKT-17)")
    List<Complaints.Complaint> complaints() {
        return complaints.list();
    }

    @PostMapping("/complaints")
    @Operation(
            summary = "Log a complaint (source DIRECT, CALL_CENTER, REGULATOR_12321, OTHER) with its due date,"
                    + " linked to the message (MARKETER, ADMIN; audited)")
    ResponseEntity<Complaints.Complaint> logComplaint(@RequestBody Complaints.ComplaintCommand command) {
        return ResponseEntity.status(201).body(complaints.log(command));
    }

    @PostMapping("/complaints/{id}/close")
    @Operation(
            summary = "Close an open complaint with its resolution (MARKETER, ADMIN; audited); 409 when it is"
                    + " already closed")
    Complaints.Complaint closeComplaint(@PathVariable long id, @RequestBody Complaints.CloseCommand command) {
        return complaints.close(id, command);
    }

    @GetMapping("/triggers")
    @Operation(summary = "Trigger rules of triggered (care) campaigns")
    List<Triggers.Rule> triggers() {
        return triggers.rules();
    }

    @PostMapping("/triggers")
    @Operation(
            summary = "Create a trigger rule: BIRTHDAY in daysAhead days or POINTS_EXPIRING (minPoints within 30 days),"
                    + " reusing an approved source campaign (MARKETER, ADMIN; audited)")
    ResponseEntity<Triggers.Rule> createTrigger(@RequestBody Triggers.RuleCommand command) {
        return ResponseEntity.status(201).body(triggers.create(command));
    }

    @PostMapping("/triggers/{id}/run")
    @Operation(summary = "Run a trigger rule now, as the daily job does (MARKETER, ADMIN; audited)")
    Triggers.Run runTrigger(@PathVariable long id) {
        return triggers.runNow(id);
    }

    @GetMapping("/settings/sms-gateway")
    @Operation(summary = "The generic HTTP SMS gateway (ADMIN with all stores)")
    SmsGateway.Config gateway() {
        return gateway.config();
    }

    @PutMapping("/settings/sms-gateway")
    @Operation(summary = "Configure the SMS gateway (ADMIN; only for a registered SMS processor, PRV-15; audited)")
    SmsGateway.Config updateGateway(@RequestBody SmsGateway.Config config) {
        return gateway.update(config);
    }

    @GetMapping("/processors")
    @Operation(summary = "Entrusted processors of the campaign channels (MKT-15)")
    List<SmsGateway.Processor> processors() {
        return gateway.processors();
    }

    @PostMapping("/processors")
    @Operation(summary = "Register the processor of EMAIL or SMS with its contract reference (ADMIN; audited)")
    SmsGateway.Processor register(@RequestBody SmsGateway.Processor processor) {
        return gateway.register(processor);
    }

    @GetMapping("/member-languages/{memberId}")
    @Operation(summary = "The language of a member's campaign messages and where it comes from (SET, NAME_RULE)")
    MemberLanguage language(@PathVariable long memberId) {
        return languages.of(memberId);
    }

    @PutMapping("/member-languages/{memberId}")
    @Operation(summary = "Set (zh, en) or clear the member's message language (MARKETER, ADMIN; audited)")
    MemberLanguage setLanguage(@PathVariable long memberId, @RequestBody Map<String, String> body) {
        return languages.set(memberId, body == null ? null : body.get("lang"));
    }
}
