package dev.patron.loyalty.web;

import dev.patron.loyalty.ExpiryWarnings;
import dev.patron.loyalty.LiabilityReport;
import dev.patron.loyalty.MemberStatement;
import dev.patron.loyalty.Statements;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** Member statements, the points liability report and the expiry warning window. */
@RestController
@RequestMapping("/api/v1")
@Tag(name = "Loyalty", description = "Points balance, ledger, redemption at the POS, adjustments, program settings")
class StatementRestController {

    private final Statements statements;
    private final LiabilityReport liability;
    private final ExpiryWarnings warnings;

    StatementRestController(Statements statements, LiabilityReport liability, ExpiryWarnings warnings) {
        this.statements = statements;
        this.liability = liability;
        this.warnings = warnings;
    }

    @GetMapping("/members/{id}/statement")
    @Operation(
            summary = "A member's monthly points statement",
            description = "month=YYYY-MM (default: the last full month, Asia/Shanghai); opening balance + the month's"
                    + " movements = closing balance, points expiring in the next 3 months, pending points, tier."
                    + " A malformed or future month is 400 naming month.")
    MemberStatement statement(@PathVariable long id, @RequestParam(required = false) String month) {
        return statements.statement(id, month);
    }

    @GetMapping("/loyalty/liability")
    @Operation(
            summary = "Points liability report (ADMIN, FINANCE, ANALYST with all stores)",
            description = "Outstanding, spendable and pending points, debt, expected expiry per month (12 months),"
                    + " earned/redeemed/expired per month (last 12 months), redemption rate; byStore=true adds"
                    + " earning per store.")
    LiabilityReport.Liability liability(@RequestParam(defaultValue = "false") boolean byStore) {
        return liability.report(byStore);
    }

    record WarningSettings(Integer expiryWarningDays) {}

    @GetMapping("/loyalty/program/expiry-warnings")
    @Operation(summary = "How many days ahead members are warned of expiring points")
    WarningSettings warningSettings() {
        return new WarningSettings(warnings.warningDays());
    }

    @PutMapping("/loyalty/program/expiry-warnings")
    @Operation(summary = "Change the expiry warning window, 1-365 days (ADMIN with all stores; audited)")
    WarningSettings updateWarningSettings(@RequestBody WarningSettings settings) {
        return new WarningSettings(warnings.updateWarningDays(settings.expiryWarningDays()));
    }
}
