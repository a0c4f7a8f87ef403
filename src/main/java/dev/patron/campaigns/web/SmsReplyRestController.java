package dev.patron.campaigns.web;

import dev.patron.campaigns.SmsReplyRules;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** MKT-04: the SMS reply keywords and the scope of a STOP reply (global or per signature) over REST. */
@RestController
@RequestMapping("/api/v1/campaigns")
@Tag(name = "Campaigns", description = "Member campaigns: plan, approve, send, track, measure")
class SmsReplyRestController {

    private final SmsReplyRules rules;

    SmsReplyRestController(SmsReplyRules rules) {
        this.rules = rules;
    }

    @GetMapping("/settings/sms-replies")
    @Operation(summary = "SMS reply keywords that stop marketing, and the scope of a STOP (GLOBAL or SIGNATURE)")
    SmsReplyRules.Settings settings() {
        return rules.settings();
    }

    @PutMapping("/settings/sms-replies")
    @Operation(
            summary = "Set the reply keywords (compared case- and width-insensitively) and the scope: GLOBAL withdraws"
                    + " the number's SMS marketing consent, SIGNATURE stops only the signature replied to (ADMIN)")
    SmsReplyRules.Settings update(@RequestBody SmsReplyRules.Settings settings) {
        return rules.update(settings);
    }
}
