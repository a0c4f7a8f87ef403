package dev.patron.loyalty.web;

import dev.patron.loyalty.EarnRule;
import dev.patron.loyalty.EarnRules;
import dev.patron.sales.PaymentMethod;
import dev.patron.sales.SaleCommand;
import dev.patron.shared.web.ConsolePage;
import dev.patron.shared.web.ConsoleUser;
import dev.patron.shared.web.Forms;
import dev.patron.shared.web.ListLinks;
import dev.patron.shared.web.PageQuery;
import dev.patron.shared.web.PatronException;
import dev.patron.shared.web.SelectOption;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.validation.BindingResult;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.ModelAttribute;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/**
 * The earn rules page of the console: the list (search, sort, paging), the form to create, change
 * or deactivate a rule, and the simulator with its explained result. Roles and scope are
 * {@link EarnRules}': every staff role reads and simulates, head-office admins change rules.
 */
@Controller
@RequestMapping("/loyalty/rules")
class RulesController implements ConsolePage {

    private static final ZoneId ZONE = ZoneId.of("Asia/Shanghai");

    private final EarnRules rules;

    RulesController(EarnRules rules) {
        this.rules = rules;
    }

    @GetMapping
    String list(
            @RequestParam(required = false) Integer page,
            @RequestParam(required = false) Integer size,
            @RequestParam(required = false) String q,
            @RequestParam(required = false) String sort,
            HttpServletRequest request,
            Model model) {
        PageQuery query = PageQuery.of(page, size, q, sort);
        model.addAttribute("result", rules.list(query));
        model.addAttribute("links", ListLinks.of("/loyalty/rules", query, "code"));
        return Forms.wantsFragment(request) ? "loyalty/rules :: results" : "loyalty/rules";
    }

    @GetMapping("/new")
    String newForm(Model model) {
        ConsoleUser.requireHeadOfficeAdmin();
        model.addAttribute("form", new RuleForm());
        return form(model);
    }

    @PostMapping
    String create(
            @ModelAttribute("form") RuleForm form,
            BindingResult result,
            Model model,
            HttpServletResponse response,
            RedirectAttributes redirect) {
        ConsoleUser.requireHeadOfficeAdmin();
        if (result.hasErrors()) {
            Forms.invalid(response);
            return form(model);
        }
        try {
            return saved(rules.create(form.toRule()), redirect);
        } catch (PatronException e) {
            Forms.reject(result, e, response);
            return form(model);
        }
    }

    @GetMapping("/{code}/edit")
    String editForm(@PathVariable String code, Model model) {
        ConsoleUser.requireHeadOfficeAdmin();
        model.addAttribute("form", RuleForm.of(rules.rule(code)));
        model.addAttribute("editing", code);
        return form(model);
    }

    @PostMapping("/{code}")
    String update(
            @PathVariable String code,
            @ModelAttribute("form") RuleForm form,
            BindingResult result,
            Model model,
            HttpServletResponse response,
            RedirectAttributes redirect) {
        ConsoleUser.requireHeadOfficeAdmin();
        model.addAttribute("editing", code);
        if (result.hasErrors()) {
            Forms.invalid(response);
            return form(model);
        }
        try {
            return saved(rules.update(code, form.toRule()), redirect);
        } catch (PatronException e) {
            Forms.reject(result, e, response);
            return form(model);
        }
    }

    /** Deactivates or reactivates a rule from the list. */
    @PostMapping("/{code}/active")
    String active(@PathVariable String code, @RequestParam boolean active, RedirectAttributes redirect) {
        ConsoleUser.requireHeadOfficeAdmin();
        EarnRule r = rules.rule(code);
        RuleForm f = RuleForm.of(r);
        f.setActive(active);
        return saved(rules.update(code, f.toRule()), redirect);
    }

    private String form(Model model) {
        model.addAttribute(
                "kinds",
                Arrays.stream(EarnRule.Kind.values())
                        .map(k -> new SelectOption(k.name(), "rules.kind." + k.name()))
                        .toList());
        model.addAttribute("tiers", rules.tierCodes());
        return "loyalty/rules-form";
    }

    private static String saved(EarnRule rule, RedirectAttributes redirect) {
        redirect.addFlashAttribute("flash", "rules.saved");
        redirect.addFlashAttribute("flashArg", rule.code());
        return "redirect:/loyalty/rules";
    }

    // ------------------------------------------------------------------ simulator

    /** The simulator's form: one line per ticket line as "brand, category, amount in fen". */
    public static class SimulationForm {
        private String storeCode;
        private Long memberId;
        private String businessDate = LocalDate.now(ZONE).toString();
        private String time = "12:00";
        private String lines;
        private Long storedValueFen;

        public String getStoreCode() {
            return storeCode;
        }

        public void setStoreCode(String storeCode) {
            this.storeCode = storeCode;
        }

        public Long getMemberId() {
            return memberId;
        }

        public void setMemberId(Long memberId) {
            this.memberId = memberId;
        }

        public String getBusinessDate() {
            return businessDate;
        }

        public void setBusinessDate(String businessDate) {
            this.businessDate = businessDate;
        }

        public String getTime() {
            return time;
        }

        public void setTime(String time) {
            this.time = time;
        }

        public String getLines() {
            return lines;
        }

        public void setLines(String lines) {
            this.lines = lines;
        }

        public Long getStoredValueFen() {
            return storedValueFen;
        }

        public void setStoredValueFen(Long storedValueFen) {
            this.storedValueFen = storedValueFen;
        }
    }

    @GetMapping("/simulate")
    String simulator(Model model) {
        model.addAttribute("sim", new SimulationForm());
        return "loyalty/rules-simulate";
    }

    @PostMapping("/simulate")
    String simulate(
            @ModelAttribute("sim") SimulationForm form,
            BindingResult result,
            Model model,
            HttpServletResponse response) {
        if (result.hasErrors()) {
            Forms.invalid(response);
            return "loyalty/rules-simulate";
        }
        try {
            model.addAttribute("simulation", rules.simulate(command(form)));
        } catch (PatronException e) {
            if (e.fieldErrors().isEmpty()) {
                throw e;
            }
            for (PatronException.FieldError fe : e.fieldErrors()) {
                String field = fe.field().startsWith("lines")
                        ? "lines"
                        : fe.field().startsWith("payments")
                                ? "storedValueFen"
                                : fe.field().equals("occurredAt") ? "time" : fe.field();
                if (!List.of("storeCode", "memberId", "businessDate", "time", "lines", "storedValueFen")
                        .contains(field)) {
                    result.reject(fe.messageKey(), fe.args(), fe.messageKey());
                } else {
                    result.rejectValue(field, fe.messageKey(), fe.args(), fe.messageKey());
                }
            }
            response.setStatus(e.status().value());
        }
        return "loyalty/rules-simulate";
    }

    private static SaleCommand command(SimulationForm f) {
        List<PatronException.FieldError> errors = new ArrayList<>();
        LocalDate date = null;
        try {
            date = f.businessDate == null || f.businessDate.isBlank() ? null : LocalDate.parse(f.businessDate.trim());
        } catch (DateTimeParseException e) {
            errors.add(new PatronException.FieldError("businessDate", "rules.validation.dateTime"));
        }
        LocalTime time = null;
        try {
            time = f.time == null || f.time.isBlank() ? null : LocalTime.parse(f.time.trim());
        } catch (DateTimeParseException e) {
            errors.add(new PatronException.FieldError("time", "rules.validation.dateTime"));
        }
        List<SaleCommand.Line> lines = new ArrayList<>();
        String text = f.lines == null ? "" : f.lines;
        for (String row : text.split("\\R")) {
            if (row.isBlank()) {
                continue;
            }
            String[] parts = row.split("[,，]", -1);
            Long amount = null;
            try {
                amount = Long.parseLong(parts[parts.length - 1].trim());
            } catch (NumberFormatException e) {
                errors.add(new PatronException.FieldError("lines", "rules.validation.simLine", row.strip()));
                continue;
            }
            String brand = parts.length > 1 ? parts[0].trim() : null;
            String category = parts.length > 2 ? parts[1].trim() : null;
            lines.add(new SaleCommand.Line(
                    "L" + (lines.size() + 1), null, brand, category, null, null, null, null, amount));
        }
        if (!errors.isEmpty()) {
            throw new PatronException(org.springframework.http.HttpStatus.BAD_REQUEST, errors, "error.validation");
        }
        long total = lines.stream().mapToLong(SaleCommand.Line::amountFen).sum();
        long stored = f.storedValueFen == null ? 0 : f.storedValueFen;
        List<SaleCommand.Payment> payments = new ArrayList<>();
        if (stored != 0) {
            payments.add(new SaleCommand.Payment(PaymentMethod.STORED_VALUE, stored, null));
        }
        payments.add(new SaleCommand.Payment(PaymentMethod.MOBILE_PAY, Math.max(0, total - stored), null));
        return new SaleCommand(
                f.storeCode,
                null,
                null,
                date,
                date == null || time == null
                        ? null
                        : date.atTime(time).atZone(ZONE).toOffsetDateTime(),
                null,
                f.memberId,
                null,
                null,
                null,
                null,
                "CNY",
                lines,
                payments,
                null);
    }
}
