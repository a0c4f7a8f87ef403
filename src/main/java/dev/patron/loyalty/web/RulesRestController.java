package dev.patron.loyalty.web;

import dev.patron.loyalty.EarnRule;
import dev.patron.loyalty.EarnRules;
import dev.patron.loyalty.PointsBalance;
import dev.patron.loyalty.PointsPooling;
import dev.patron.sales.SaleCommand;
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

/** Earn rules, the points simulator and institutional pooling. */
@RestController
@RequestMapping("/api/v1")
@Tag(name = "Earn rules", description = "Points earn rules, the simulator that explains a sale's points, pooling")
class RulesRestController {

    private final EarnRules rules;
    private final PointsPooling pooling;

    RulesRestController(EarnRules rules, PointsPooling pooling) {
        this.rules = rules;
        this.pooling = pooling;
    }

    @GetMapping("/loyalty/rules")
    @Operation(
            summary =
                    "Earn rules (paged; q filters code, name, kind; sort code, name, kind, priority, active, validFrom, validTo, updatedAt; - for descending)")
    PageResult<EarnRule> list(
            @RequestParam(required = false) Integer page,
            @RequestParam(required = false) Integer size,
            @RequestParam(required = false) String q,
            @RequestParam(required = false) String sort) {
        return rules.list(PageQuery.of(page, size, q, sort));
    }

    @PostMapping("/loyalty/rules")
    @Operation(summary = "Create an earn rule (ADMIN with all stores; audited)")
    ResponseEntity<EarnRule> create(@RequestBody EarnRule rule) {
        return ResponseEntity.status(201).body(rules.create(rule));
    }

    @GetMapping("/loyalty/rules/{code}")
    @Operation(summary = "One earn rule")
    EarnRule get(@PathVariable String code) {
        return rules.rule(code);
    }

    @PutMapping("/loyalty/rules/{code}")
    @Operation(summary = "Change an earn rule, e.g. deactivate it with active=false (ADMIN with all stores; audited)")
    EarnRule update(@PathVariable String code, @RequestBody EarnRule rule) {
        return rules.update(code, rule);
    }

    @PostMapping("/loyalty/rules/simulate")
    @Operation(
            summary = "Simulate a sale's points: N points because of rules A, B (nothing is stored)",
            description = "Takes a sale as POST /api/v1/sales does; answers per line the base points, the rules applied"
                    + " with their effect and the exclusions, then bonuses and caps, and warnings for overlapping rules."
                    + " businessDate defaults to today; occurredAt to 12:00 of the business date (Asia/Shanghai).")
    EarnRules.Simulation simulate(@RequestBody SaleCommand sale) {
        return rules.simulate(sale);
    }

    record PoolingRequest(Boolean enabled) {}

    @PutMapping("/members/{id}/points/pooling")
    @Operation(
            summary =
                    "Turn institutional pooling on or off: an institution's individuals' points go to the institution (ADMIN)")
    PointsBalance.Pooling pooling(@PathVariable long id, @RequestBody PoolingRequest request) {
        return pooling.set(id, request.enabled());
    }
}
