package dev.patron.loyalty.web;

import dev.patron.loyalty.AdjustCommand;
import dev.patron.loyalty.LedgerEntry;
import dev.patron.loyalty.LoyaltyManagement;
import dev.patron.loyalty.LoyaltyProgram;
import dev.patron.loyalty.PointsBalance;
import dev.patron.loyalty.RedeemCommand;
import dev.patron.loyalty.Redemption;
import dev.patron.shared.web.PageQuery;
import dev.patron.shared.web.PageResult;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** Points: balance and ledger, spending at the POS, cancelling, adjustments, program settings. */
@RestController
@RequestMapping("/api/v1")
@Tag(name = "Loyalty", description = "Points balance, ledger, redemption at the POS, adjustments, program settings")
class LoyaltyRestController {

    private final LoyaltyManagement loyalty;

    LoyaltyRestController(LoyaltyManagement loyalty) {
        this.loyalty = loyalty;
    }

    @GetMapping("/members/{id}/points")
    @Operation(summary = "A member's points: balance, spendable, pending, debt, points expiring per month")
    PointsBalance points(@PathVariable long id) {
        return loyalty.balance(id);
    }

    @GetMapping("/members/{id}/points/ledger")
    @Operation(summary = "A member's points ledger, newest first (paged)")
    PageResult<LedgerEntry> ledger(
            @PathVariable long id,
            @RequestParam(required = false) Integer page,
            @RequestParam(required = false) Integer size) {
        return loyalty.ledger(id, PageQuery.of(page, size, null, null));
    }

    @PostMapping("/points/redeem")
    @Operation(
            summary = "Spend points (e.g. as payment at the POS); idempotent by idempotencyKey",
            description =
                    "Never more than the member's spendable points, even with concurrent requests (422 naming"
                            + " points). A retry with the same key returns the first result (200, header Idempotent-Replayed: true); the same key with other content is 409.")
    ResponseEntity<Redemption> redeem(@RequestBody RedeemCommand command) {
        LoyaltyManagement.RedeemResult r = loyalty.redeemOnce(command);
        return r.created()
                ? ResponseEntity.status(201).body(r.redemption())
                : ResponseEntity.ok().header("Idempotent-Replayed", "true").body(r.redemption());
    }

    record CancelRequest(String idempotencyKey) {}

    @PostMapping("/points/redemptions/{id}/cancel")
    @Operation(summary = "Cancel a redemption: the points go back to the lots they came from; idempotent by key")
    Redemption cancel(@PathVariable long id, @RequestBody CancelRequest request) {
        return loyalty.cancelRedemption(id, request.idempotencyKey());
    }

    @PostMapping("/points/adjustments")
    @Operation(summary = "Add or remove points with a reason (ADMIN; audited; idempotent by key)")
    ResponseEntity<LedgerEntry> adjust(@RequestBody AdjustCommand command) {
        return ResponseEntity.status(201).body(loyalty.adjust(command));
    }

    @PostMapping("/loyalty/expiry/run")
    @Operation(
            summary = "Expire every lot whose expiry date has passed, now (ADMIN; audited)",
            description =
                    "The nightly job's work on demand, under the same cluster lock: 409 while another run holds it.")
    LoyaltyManagement.ExpiryRun runExpiry() {
        return loyalty.runExpiry();
    }

    @GetMapping("/loyalty/program")
    @Operation(summary = "Points program settings")
    LoyaltyProgram program() {
        return loyalty.program();
    }

    @PutMapping("/loyalty/program")
    @Operation(summary = "Change the points program settings (ADMIN with all stores; audited)")
    LoyaltyProgram updateProgram(@RequestBody LoyaltyProgram program) {
        return loyalty.updateProgram(program);
    }
}
