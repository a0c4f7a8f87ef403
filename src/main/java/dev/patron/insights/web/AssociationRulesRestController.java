package dev.patron.insights.web;

import dev.patron.insights.AssociationRule;
import dev.patron.insights.AssociationRules;
import dev.patron.insights.MineCommand;
import dev.patron.insights.Recommendations;
import dev.patron.insights.RuleLevel;
import dev.patron.insights.RuleRun;
import dev.patron.shared.web.PageQuery;
import dev.patron.shared.web.PageResult;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.math.BigDecimal;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** Cross-sell: association rules, mining runs, a member's next best items and up-sell offers. */
@RestController
@RequestMapping("/api/v1")
@Tag(
        name = "Cross-sell",
        description = "Association rules over baskets (category or brand level), mining runs, next best items and"
                + " up-sell per member; see docs/MODELS.md")
class AssociationRulesRestController {

    private final AssociationRules rules;

    AssociationRulesRestController(AssociationRules rules) {
        this.rules = rules;
    }

    @GetMapping("/insights/association-rules")
    @Operation(
            summary =
                    "Rules of the current run of a level (or of runId), paged (ANALYST, MARKETER, ADMIN with all stores)",
            description =
                    "level category (default) or brand; minSupport and minConfidence above 0 and at most 1 keep rules at or"
                            + " above them, compared exactly on the counts; antecedent / consequent: a category or brand code on"
                            + " that side; q matches item names and codes; sort lift (default -lift), confidence, support"
                            + " (- for descending). Empty when nothing has been mined.")
    PageResult<AssociationRule> list(
            @RequestParam(required = false) String level,
            @RequestParam(required = false) Long runId,
            @RequestParam(required = false) BigDecimal minSupport,
            @RequestParam(required = false) BigDecimal minConfidence,
            @RequestParam(required = false) String antecedent,
            @RequestParam(required = false) String consequent,
            @RequestParam(required = false) Integer page,
            @RequestParam(required = false) Integer size,
            @RequestParam(required = false) String q,
            @RequestParam(required = false) String sort) {
        return rules.rules(
                new AssociationRules.RuleQuery(level, runId, minSupport, minConfidence, antecedent, consequent),
                PageQuery.of(page, size, q, sort));
    }

    @PostMapping("/insights/association-rules/mine")
    @Operation(
            summary =
                    "Mine rules now in the background: 202 with the run (RUNNING); poll GET"
                            + " /api/v1/insights/association-rule-runs/{id} (ANALYST, MARKETER, ADMIN with all stores; audited)",
            description =
                    "Body (all optional): level CATEGORY|BRAND, minSupport and minConfidence above 0 and at most 1 (defaults"
                            + " 0.01 and 0.5), maxItems 2-10 (10), from / to (last 12 months), storeCodes (all). 409 while a run"
                            + " of the level is going.")
    ResponseEntity<RuleRun> mine(@RequestBody(required = false) MineCommand command) {
        return ResponseEntity.accepted().body(rules.mine(command));
    }

    @GetMapping("/insights/association-rule-runs")
    @Operation(summary = "Mining runs, newest first (paged; level filters; sort id, startedAt)")
    PageResult<RuleRun> runs(
            @RequestParam(required = false) String level,
            @RequestParam(required = false) Integer page,
            @RequestParam(required = false) Integer size,
            @RequestParam(required = false) String sort) {
        return rules.runs(RuleLevel.parse(level, "level", null), PageQuery.of(page, size, null, sort));
    }

    @GetMapping("/insights/association-rule-runs/{id}")
    @Operation(summary = "One mining run: status, thresholds, baskets, itemsets, rules, duration, error")
    RuleRun run(@PathVariable long id) {
        return rules.run(id);
    }

    @GetMapping("/members/{id}/next-best")
    @Operation(
            summary = "A member's next best categories or brands and up-sell offers (ANALYST, MARKETER, ADMIN,"
                    + " STORE_MANAGER, COUNTER_STAFF, AGENT; members of the caller's stores; audited)",
            description =
                    "level category (default) or brand; limit 1-50 (5). From the current rules of the level and the"
                            + " member's purchases of the last 12 months; ranked by confidence × lift.")
    Recommendations nextBest(
            @PathVariable long id,
            @RequestParam(required = false) String level,
            @RequestParam(required = false) Integer limit) {
        return rules.recommendations(id, level, limit);
    }
}
