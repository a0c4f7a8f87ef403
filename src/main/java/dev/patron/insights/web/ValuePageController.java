package dev.patron.insights.web;

import dev.patron.insights.ChurnWarnings;
import dev.patron.insights.ValueModel;
import dev.patron.insights.ValueModelFit;
import dev.patron.shared.web.ConsolePage;
import dev.patron.shared.web.Forms;
import dev.patron.shared.web.ListLinks;
import dev.patron.shared.web.PageQuery;
import dev.patron.shared.web.PatronException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
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
 * Console pages of the value model: /insights/value for analysts (parameters, fit quality with the
 * calibration/holdout chart, fit history, refit form) and /insights/churn, the churn warning list
 * for care agents. Every rule is the module API's (roles, store scope, validation).
 */
@Controller
@RequestMapping("/insights")
class ValuePageController implements ConsolePage {

    /** The refit form: dates as typed (yyyy-MM-dd), blank for the default window. */
    static class FitForm {
        private String calibrationStart;
        private String calibrationEnd;

        public String getCalibrationStart() {
            return calibrationStart;
        }

        public void setCalibrationStart(String calibrationStart) {
            this.calibrationStart = calibrationStart;
        }

        public String getCalibrationEnd() {
            return calibrationEnd;
        }

        public void setCalibrationEnd(String calibrationEnd) {
            this.calibrationEnd = calibrationEnd;
        }
    }

    private final ValueModel model;
    private final ChurnWarnings churn;
    private final JsonMapper json;

    ValuePageController(ValueModel model, ChurnWarnings churn, JsonMapper json) {
        this.model = model;
        this.churn = churn;
        this.json = json;
    }

    @GetMapping("/value")
    String value(@RequestParam(required = false) Integer page, @RequestParam(required = false) Integer size, Model m) {
        if (!m.containsAttribute("form")) {
            m.addAttribute("form", new FitForm());
        }
        return valuePage(page, size, m);
    }

    private String valuePage(Integer page, Integer size, Model m) {
        ValueModelFit current = model.currentIfAny().orElse(null);
        PageQuery query = PageQuery.of(page, size, null, null);
        m.addAttribute("fit", current);
        m.addAttribute(
                "chartJson",
                current == null || current.chart() == null ? null : json.writeValueAsString(current.chart()));
        m.addAttribute("result", model.history(query));
        m.addAttribute("links", ListLinks.of("/insights/value", query, "fittedAt"));
        m.addAttribute("mayFit", ValueModel.mayFit());
        m.addAttribute(
                "discountRate",
                BigDecimal.valueOf(ValueModel.ANNUAL_DISCOUNT_RATE * 100)
                        .stripTrailingZeros()
                        .toPlainString());
        m.addAttribute("clvMonths", ValueModel.CLV_MONTHS);
        return "insights/value";
    }

    @PostMapping("/value/fit")
    String fit(
            @ModelAttribute("form") FitForm form,
            BindingResult binding,
            HttpServletResponse response,
            Model m,
            RedirectAttributes redirect) {
        LocalDate start = date(form.getCalibrationStart(), "calibrationStart", binding);
        LocalDate end = date(form.getCalibrationEnd(), "calibrationEnd", binding);
        if (binding.hasErrors()) {
            Forms.invalid(response);
            return valuePage(null, null, m);
        }
        try {
            ValueModelFit fit = model.fit(new ValueModel.FitCommand(start, end));
            redirect.addFlashAttribute("flash", "value.flash.fitted");
            redirect.addFlashAttribute("flashArg", fit.members());
            return "redirect:/insights/value";
        } catch (PatronException e) {
            if (e.fieldErrors().isEmpty()) {
                // refused fit (too little history, no convergence): said above the form, attempt in the history
                binding.reject(e.messageKey(), e.args(), e.messageKey());
                response.setStatus(e.status().value());
            } else {
                Forms.reject(binding, e, response);
            }
            return valuePage(null, null, m);
        }
    }

    private static LocalDate date(String text, String field, BindingResult binding) {
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            return LocalDate.parse(text.trim());
        } catch (DateTimeParseException e) {
            binding.rejectValue(field, "value.error.date", "value.error.date");
            return null;
        }
    }

    @GetMapping("/churn")
    String churn(
            @RequestParam(required = false) String threshold,
            @RequestParam(required = false) String minClv,
            @RequestParam(required = false) Integer page,
            @RequestParam(required = false) Integer size,
            @RequestParam(required = false) String sort,
            HttpServletRequest request,
            HttpServletResponse response,
            Model m) {
        PageQuery query = PageQuery.of(page, size, null, sort == null || sort.isBlank() ? "-clvBefore" : sort);
        Double t = null;
        Long minClvFen = null;
        String error = null;
        String errorField = null;
        try {
            t = threshold == null || threshold.isBlank() ? null : Double.valueOf(threshold.trim());
        } catch (NumberFormatException e) {
            error = "value.error.threshold";
            errorField = "threshold";
        }
        try {
            minClvFen = minClv == null || minClv.isBlank()
                    ? null
                    : new BigDecimal(minClv.trim()).movePointRight(2).longValueExact();
        } catch (NumberFormatException | ArithmeticException e) {
            error = "value.error.minClv";
            errorField = "minClv";
        }
        ChurnWarnings.ChurnList list = null;
        if (error == null) {
            try {
                list = churn.list(t, minClvFen, query);
            } catch (PatronException e) {
                if (e.fieldErrors().isEmpty() || !e.status().is4xxClientError()) {
                    throw e;
                }
                error = e.fieldErrors().get(0).messageKey();
                errorField = "minClvFen".equals(e.fieldErrors().get(0).field())
                        ? "minClv"
                        : e.fieldErrors().get(0).field();
            }
        }
        if (error != null) {
            response.setStatus(400);
            list = churn.list(null, null, PageQuery.of(0, query.size(), null, null));
        }
        m.addAttribute("error", error);
        m.addAttribute("errorField", errorField);
        m.addAttribute("threshold", threshold == null ? "" : threshold);
        m.addAttribute("minClv", minClv == null ? "" : minClv);
        m.addAttribute("list", list);
        m.addAttribute("result", list.page());
        m.addAttribute(
                "links",
                ListLinks.of("/insights/churn", query, "clvBefore")
                        .filter("threshold", error == null ? threshold : null)
                        .filter("minClv", error == null ? minClv : null));
        return Forms.wantsFragment(request) ? "insights/churn :: results" : "insights/churn";
    }
}
