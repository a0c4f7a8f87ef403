package dev.patron.insights.web;

import dev.patron.insights.ChurnWarnings;
import dev.patron.insights.MemberValue;
import dev.patron.insights.ValueModel;
import dev.patron.insights.ValueModelFit;
import dev.patron.shared.web.PageQuery;
import dev.patron.shared.web.PageResult;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.Map;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** The member value model (BG/NBD + Gamma-Gamma): fit, current model and history, a member's value, churn warnings. */
@RestController
@RequestMapping("/api/v1")
@Tag(
        name = "Member value",
        description = "Purchase (BG/NBD) and spend (Gamma-Gamma) models, P(alive), expected purchases, CLV and the"
                + " churn warning list; the math is in docs/MODELS.md")
class ValueModelRestController {

    private final ValueModel model;
    private final ChurnWarnings churn;

    ValueModelRestController(ValueModel model, ChurnWarnings churn) {
        this.model = model;
        this.churn = churn;
    }

    @PostMapping("/insights/value-model/fit")
    @Operation(
            summary = "Fit the model on a calibration window and make it current (ANALYST or ADMIN with all stores;"
                    + " audited)",
            description = "Body {calibrationStart, calibrationEnd} (dates; defaults: the 52 weeks up to today). Answers"
                    + " the fitted parameters and log-likelihoods and rescores every member. 400 naming the field for"
                    + " a window in the future, shorter than 4 weeks or longer than 10 years; 422 (stored as a FAILED"
                    + " attempt, the current model stays) with fewer than 100 members with a repeat purchase day or"
                    + " when the fit does not converge.")
    ValueModelFit fit(@RequestBody(required = false) ValueModel.FitCommand command) {
        return model.fit(command);
    }

    @GetMapping("/insights/value-model")
    @Operation(
            summary = "The model in use: window, parameters, log-likelihoods, counts, calibration/holdout chart"
                    + " (ANALYST, ADMIN, MARKETER); 404 before the first successful fit")
    ValueModelFit current() {
        return model.current();
    }

    @GetMapping("/insights/value-model/fits")
    @Operation(summary = "Every fit attempt, newest first, with failures and their reason (ANALYST, ADMIN, MARKETER)")
    PageResult<ValueModelFit> history(
            @RequestParam(required = false) Integer page, @RequestParam(required = false) Integer size) {
        return model.history(PageQuery.of(page, size, null, null));
    }

    @PostMapping("/insights/value-model/rescore")
    @Operation(summary = "Rescore every member with the model in use as of today (ANALYST or ADMIN with all stores)")
    Map<String, Integer> rescore() {
        return Map.of("members", model.rescore());
    }

    @GetMapping("/members/{id}/value")
    @Operation(
            summary = "A member's value: P(alive), expected purchase days in the next horizonWeeks weeks (1-520,"
                    + " default 52), expected average spend, 12-month value and CLV in fen",
            description = "ANALYST, ADMIN, MARKETER; AGENT and STORE_MANAGER for members of their stores. scored is"
                    + " false when the member made no purchase in the model's window. 404 without a model.")
    MemberValue value(@PathVariable long id, @RequestParam(required = false) Integer horizonWeeks) {
        return model.memberValue(id, horizonWeeks);
    }

    @GetMapping("/insights/churn-warnings")
    @Operation(
            summary = "Valuable members whose P(alive) fell below the threshold since last month, with the reason",
            description =
                    "threshold in (0, 1), default 0.5; minClvFen (on the CLV a month ago, before the drop) default: the top fifth of those values; sort clvBefore, clv"
                            + " (default, highest first), pAlive, drop, lastPurchase, name (prefix - for descending). Phones"
                            + " masked. AGENT, MARKETER, ANALYST, ADMIN, STORE_MANAGER (their stores' members); audited.")
    ChurnWarnings.ChurnList churnWarnings(
            @RequestParam(required = false) Double threshold,
            @RequestParam(required = false) Long minClvFen,
            @RequestParam(required = false) Integer page,
            @RequestParam(required = false) Integer size,
            @RequestParam(required = false) String sort) {
        return churn.list(threshold, minClvFen, PageQuery.of(page, size, null, sort));
    }
}
