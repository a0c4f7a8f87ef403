package dev.patron.insights.web;

import dev.patron.insights.AssociationRule;
import dev.patron.insights.AssociationRules;
import dev.patron.insights.MineCommand;
import dev.patron.insights.RuleLevel;
import dev.patron.insights.RuleRun;
import dev.patron.shared.web.ConsolePage;
import dev.patron.shared.web.Forms;
import dev.patron.shared.web.ListLinks;
import dev.patron.shared.web.PageQuery;
import dev.patron.shared.web.PageResult;
import dev.patron.shared.web.PatronException;
import dev.patron.shared.web.SelectOption;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.validation.BindingResult;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.ModelAttribute;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;
import tools.jackson.databind.json.JsonMapper;

/**
 * The cross-sell page of the console (/insights/rules): the current rules of a level (filters on
 * thresholds and items, search, sort, paging), a support × confidence chart coloured by lift, the
 * mining runs and "mine now". Roles and scope are {@link AssociationRules}': head office ANALYST,
 * MARKETER and ADMIN.
 */
@Controller
@RequestMapping("/insights/rules")
class CrossSellPageController implements ConsolePage {

    static final int CHART_POINTS = 1500;

    private final AssociationRules rules;
    private final JsonMapper json;

    CrossSellPageController(AssociationRules rules, JsonMapper json) {
        this.rules = rules;
        this.json = json;
    }

    @GetMapping
    String page(
            @RequestParam(required = false) String level,
            @RequestParam(required = false) String minSupport,
            @RequestParam(required = false) String minConfidence,
            @RequestParam(required = false) Integer page,
            @RequestParam(required = false) Integer size,
            @RequestParam(required = false) String q,
            @RequestParam(required = false) String sort,
            HttpServletRequest request,
            HttpServletResponse response,
            Model model) {
        PageQuery query = PageQuery.of(page, size, q, sort);
        Map<String, String> problems = new LinkedHashMap<>();
        RuleLevel l = RuleLevel.CATEGORY;
        try {
            l = RuleLevel.parse(level, "level", RuleLevel.CATEGORY);
        } catch (PatronException e) {
            problems.put("level", e.messageKey());
        }
        BigDecimal support = decimal(minSupport, "minSupport", problems);
        BigDecimal confidence = decimal(minConfidence, "minConfidence", problems);
        PageResult<AssociationRule> result;
        try {
            result =
                    rules.rules(new AssociationRules.RuleQuery(l.name(), null, support, confidence, null, null), query);
        } catch (PatronException e) {
            if (e.fieldErrors().isEmpty()) {
                throw e;
            }
            e.fieldErrors().forEach(fe -> problems.put(fe.field(), fe.messageKey()));
            result = rules.rules(
                    new AssociationRules.RuleQuery(l.name(), null, null, null, null, null),
                    PageQuery.of(0, query.size(), null, null));
        }
        if (!problems.isEmpty()) {
            response.setStatus(400);
        }
        model.addAttribute("problems", problems);
        model.addAttribute("result", result);
        model.addAttribute("level", l.name());
        model.addAttribute("minSupport", minSupport);
        model.addAttribute("minConfidence", minConfidence);
        model.addAttribute(
                "links",
                ListLinks.of(
                                "/insights/rules",
                                query.sort() == null
                                        ? new PageQuery(query.page(), query.size(), query.q(), "lift", true)
                                        : query,
                                "lift")
                        .filter("level", l == RuleLevel.CATEGORY ? null : l.name())
                        .filter("minSupport", minSupport)
                        .filter("minConfidence", minConfidence));
        if (Forms.wantsFragment(request)) {
            return "insights/rules :: results";
        }
        Optional<RuleRun> current = rules.currentRun(l);
        model.addAttribute("current", current.orElse(null));
        model.addAttribute(
                "chart",
                current.map(r -> json.writeValueAsString(rules.points(r.level(), r.id(), CHART_POINTS)))
                        .orElse("[]"));
        model.addAttribute("runs", rules.runs(null, PageQuery.of(0, 10, null, null)));
        if (!model.containsAttribute("form")) {
            MineForm form = new MineForm();
            form.setLevel(l.name());
            model.addAttribute("form", form);
        }
        model.addAttribute("levels", List.of(RuleLevel.values()));
        model.addAttribute(
                "levelOptions",
                java.util.Arrays.stream(RuleLevel.values())
                        .map(v -> new SelectOption(v.name(), "xsell.level." + v.name()))
                        .toList());
        return "insights/rules";
    }

    private static BigDecimal decimal(String value, String field, Map<String, String> problems) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return new BigDecimal(value.trim());
        } catch (NumberFormatException e) {
            problems.put(field, "xsell.validation.ratio");
            return null;
        }
    }

    @PostMapping("/mine")
    String mine(
            @ModelAttribute("form") MineForm form,
            BindingResult result,
            HttpServletRequest request,
            HttpServletResponse response,
            Model model,
            RedirectAttributes redirect) {
        BigDecimal support = null;
        BigDecimal confidence = null;
        LocalDate from = null;
        LocalDate to = null;
        try {
            support = form.getMinSupport() == null || form.getMinSupport().isBlank()
                    ? null
                    : new BigDecimal(form.getMinSupport().trim());
        } catch (NumberFormatException e) {
            result.rejectValue("minSupport", "xsell.validation.ratio");
        }
        try {
            confidence =
                    form.getMinConfidence() == null || form.getMinConfidence().isBlank()
                            ? null
                            : new BigDecimal(form.getMinConfidence().trim());
        } catch (NumberFormatException e) {
            result.rejectValue("minConfidence", "xsell.validation.ratio");
        }
        try {
            from = form.getFrom() == null || form.getFrom().isBlank() ? null : LocalDate.parse(form.getFrom());
        } catch (DateTimeParseException e) {
            result.rejectValue("from", "xsell.validation.date");
        }
        try {
            to = form.getTo() == null || form.getTo().isBlank() ? null : LocalDate.parse(form.getTo());
        } catch (DateTimeParseException e) {
            result.rejectValue("to", "xsell.validation.date");
        }
        if (!result.hasErrors()) {
            try {
                RuleRun run = rules.mine(new MineCommand(form.getLevel(), support, confidence, null, from, to, null));
                redirect.addFlashAttribute("started", run.id());
                return "redirect:/insights/rules"
                        + (run.level() == RuleLevel.CATEGORY
                                ? ""
                                : "?level=" + run.level().name());
            } catch (PatronException e) {
                Forms.reject(result, e, response);
            }
        } else {
            Forms.invalid(response);
        }
        model.addAttribute("form", form);
        return page(form.getLevel(), null, null, null, null, null, null, request, new StatusKeeper(response), model);
    }

    /** Keeps the form's error status when the page is rendered again. */
    private static final class StatusKeeper extends jakarta.servlet.http.HttpServletResponseWrapper {
        StatusKeeper(HttpServletResponse response) {
            super(response);
        }

        @Override
        public void setStatus(int sc) {
            // the form's status (400/409) wins
        }
    }
}
