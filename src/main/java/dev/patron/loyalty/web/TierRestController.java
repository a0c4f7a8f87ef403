package dev.patron.loyalty.web;

import dev.patron.loyalty.MemberTier;
import dev.patron.loyalty.TierOverrideCommand;
import dev.patron.loyalty.TierSettings;
import dev.patron.loyalty.Tiers;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** Tiers: the levels and their benefits, a member's tier, manual overrides. */
@RestController
@RequestMapping("/api/v1")
@Tag(name = "Tiers", description = "Member levels, benefits, qualification, a member's tier and overrides")
class TierRestController {

    private final Tiers tiers;

    TierRestController(Tiers tiers) {
        this.tiers = tiers;
    }

    @GetMapping("/members/{id}/tier")
    @Operation(
            summary = "A member's tier: level and benefits, rolling 12-month figure, next level and what is still"
                    + " needed by when, review date, override and history")
    MemberTier tier(@PathVariable long id) {
        return tiers.tier(id);
    }

    @PostMapping("/members/{id}/tier/override")
    @Operation(
            summary = "Put the member on a level until a date with a reason (ADMIN, or STORE_MANAGER of the member's"
                    + " store; audited); the rules leave the tier alone meanwhile")
    MemberTier override(@PathVariable long id, @RequestBody TierOverrideCommand command) {
        return tiers.override(id, command);
    }

    @DeleteMapping("/members/{id}/tier/override")
    @Operation(summary = "End a running override now: the tier from before it comes back and the rules apply again")
    MemberTier endOverride(@PathVariable long id) {
        return tiers.endOverride(id);
    }

    @GetMapping("/loyalty/tiers")
    @Operation(summary = "The tier program: qualification basis (SPEND in fen or POINTS) and the levels by rank")
    TierSettings settings() {
        return tiers.settings();
    }

    @PutMapping("/loyalty/tiers")
    @Operation(
            summary = "Replace the levels and the basis (ADMIN with all stores; audited)",
            description = "Refused (400 naming levels[i].field) unless: codes A-Z 0-9 _, unique codes and ranks, the"
                    + " rank 0 level has threshold 0, thresholds increase with rank, discount in (0, 1],"
                    + " multiplier in (0, 10]. A level that members hold cannot be removed (422).")
    TierSettings update(@RequestBody TierSettings settings) {
        return tiers.updateSettings(settings);
    }
}
