package dev.patron.campaigns.web;

import dev.patron.campaigns.Webhooks;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.List;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** Webhook endpoints for campaign events (ADMIN with all stores). */
@RestController
@RequestMapping("/api/v1/campaigns/webhooks")
@Tag(name = "Campaigns", description = "Member campaigns: plan, approve, send, track, measure")
class WebhookRestController {

    private final Webhooks webhooks;

    WebhookRestController(Webhooks webhooks) {
        this.webhooks = webhooks;
    }

    @GetMapping
    @Operation(summary = "Webhook endpoints with their delivery counts (never their secrets)")
    List<Webhooks.Endpoint> list() {
        return webhooks.endpoints();
    }

    @PostMapping
    @Operation(
            summary = "Add an endpoint for event types (SENT, OPENED, CLICKED, RESPONDED, UNSUBSCRIBED; all when"
                    + " empty). The answer carries the signing secret, shown only this once (audited)")
    ResponseEntity<Webhooks.Created> create(@RequestBody Webhooks.EndpointCommand command) {
        return ResponseEntity.status(201).body(webhooks.create(command));
    }

    @PostMapping("/{id}/deactivate")
    @Operation(summary = "Switch an endpoint off; its pending deliveries are dropped (audited)")
    ResponseEntity<Void> deactivate(@PathVariable long id) {
        webhooks.deactivate(id);
        return ResponseEntity.noContent().build();
    }

    @GetMapping("/{id}/deliveries")
    @Operation(summary = "The latest 100 deliveries of an endpoint")
    List<Webhooks.Delivery> deliveries(@PathVariable long id) {
        return webhooks.deliveries(id);
    }
}
