package dev.patron.loyalty.web;

import dev.patron.loyalty.ExpiryWarnings;
import dev.patron.loyalty.LiabilityReport;
import dev.patron.loyalty.LoyaltyManagement;
import dev.patron.loyalty.LoyaltyProgram;
import dev.patron.loyalty.MemberStatement;
import dev.patron.loyalty.Statements;
import dev.patron.shared.web.ConsolePage;
import dev.patron.shared.web.ConsoleUser;
import dev.patron.shared.web.Forms;
import dev.patron.shared.web.ListLinks;
import dev.patron.shared.web.PageQuery;
import dev.patron.shared.web.PageResult;
import dev.patron.shared.web.PatronException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.math.BigDecimal;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.context.MessageSource;
import org.springframework.context.i18n.LocaleContextHolder;
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
import tools.jackson.databind.json.JsonMapper;

/**
 * Loyalty pages of the console: the program settings (everyone reads them; head-office admins
 * change them, with the API's validation shown inline), the points liability report (ADMIN,
 * FINANCE, ANALYST with all stores: cards, expected expiry, monthly chart, earning per store with
 * sort and paging) and the member statement fragment that the 360 view's month picker loads.
 */
@Controller
@RequestMapping("/loyalty")
class LoyaltyPageController implements ConsolePage {

    static final List<String> ROUNDINGS = List.of("DOWN", "HALF_UP", "UP");
    static final List<String> POLICIES = List.of("END_OF_NEXT_YEAR", "MONTHS_AFTER", "NEVER");

    private final LoyaltyManagement loyalty;
    private final dev.patron.loyalty.PointsPooling pooling;
    private final ExpiryWarnings warnings;
    private final LiabilityReport liability;
    private final Statements statements;
    private final MessageSource messages;
    private final JsonMapper json;

    LoyaltyPageController(
            dev.patron.loyalty.PointsPooling pooling,
            LoyaltyManagement loyalty,
            ExpiryWarnings warnings,
            LiabilityReport liability,
            Statements statements,
            MessageSource messages,
            JsonMapper json) {
        this.loyalty = loyalty;
        this.pooling = pooling;
        this.warnings = warnings;
        this.liability = liability;
        this.statements = statements;
        this.messages = messages;
        this.json = json;
    }

    /** The program form: the program's fields plus the expiry warning window. */
    public static class ProgramForm {
        private BigDecimal pointsPerYuan;
        private String rounding;
        private Integer pendingDays;
        private String expiryPolicy;
        private Integer expiryMonths;
        private Long maxNegativeBalance;
        private Integer expiryWarningDays;

        static ProgramForm of(LoyaltyProgram p, int warningDays) {
            ProgramForm f = new ProgramForm();
            f.pointsPerYuan = p.pointsPerYuan().stripTrailingZeros().scale() < 0
                    ? p.pointsPerYuan().setScale(0)
                    : p.pointsPerYuan().stripTrailingZeros();
            f.rounding = p.rounding();
            f.pendingDays = p.pendingDays();
            f.expiryPolicy = p.expiryPolicy();
            f.expiryMonths = p.expiryMonths();
            f.maxNegativeBalance = p.maxNegativeBalance();
            f.expiryWarningDays = warningDays;
            return f;
        }

        LoyaltyProgram program() {
            return new LoyaltyProgram(
                    pointsPerYuan, rounding, pendingDays, expiryPolicy, expiryMonths, maxNegativeBalance);
        }

        public BigDecimal getPointsPerYuan() {
            return pointsPerYuan;
        }

        public void setPointsPerYuan(BigDecimal v) {
            pointsPerYuan = v;
        }

        public String getRounding() {
            return rounding;
        }

        public void setRounding(String v) {
            rounding = v;
        }

        public Integer getPendingDays() {
            return pendingDays;
        }

        public void setPendingDays(Integer v) {
            pendingDays = v;
        }

        public String getExpiryPolicy() {
            return expiryPolicy;
        }

        public void setExpiryPolicy(String v) {
            expiryPolicy = v;
        }

        public Integer getExpiryMonths() {
            return expiryMonths;
        }

        public void setExpiryMonths(Integer v) {
            expiryMonths = v;
        }

        public Long getMaxNegativeBalance() {
            return maxNegativeBalance;
        }

        public void setMaxNegativeBalance(Long v) {
            maxNegativeBalance = v;
        }

        public Integer getExpiryWarningDays() {
            return expiryWarningDays;
        }

        public void setExpiryWarningDays(Integer v) {
            expiryWarningDays = v;
        }
    }

    /** An option of a dropdown: value and message key. */
    public record Option(String value, String label) {}

    @GetMapping("/program")
    String program(Model model) {
        model.addAttribute("form", ProgramForm.of(loyalty.program(), warnings.warningDays()));
        return programPage(model);
    }

    @PostMapping("/program")
    String saveProgram(
            @ModelAttribute("form") ProgramForm form,
            BindingResult result,
            Model model,
            HttpServletResponse response,
            RedirectAttributes redirect) {
        ConsoleUser.requireHeadOfficeAdmin();
        if (result.hasErrors()) {
            Forms.invalid(response);
            return programPage(model);
        }
        try {
            warnings.updateProgram(form.program(), form.getExpiryWarningDays());
        } catch (PatronException e) {
            Forms.reject(result, e, response);
            return programPage(model);
        }
        redirect.addFlashAttribute("flash", "program.saved");
        return "redirect:/loyalty/program";
    }

    /** The points panel's switch (institutions): pooling on or off; ADMIN with all stores, audited. */
    @PostMapping("/members/{id}/pooling")
    String pooling(
            @PathVariable long id, @RequestParam(required = false) Boolean enabled, RedirectAttributes redirect) {
        pooling.set(id, enabled);
        redirect.addFlashAttribute(
                "flash", Boolean.TRUE.equals(enabled) ? "loyalty.flash.poolingOn" : "loyalty.flash.poolingOff");
        return "redirect:/members/" + id;
    }

    private String programPage(Model model) {
        ConsoleUser me = ConsoleUser.current();
        model.addAttribute("editable", me != null && me.headOfficeAdmin());
        model.addAttribute(
                "roundings",
                ROUNDINGS.stream()
                        .map(r -> new Option(r, "program.rounding." + r))
                        .toList());
        model.addAttribute(
                "policies",
                POLICIES.stream().map(p -> new Option(p, "program.policy." + p)).toList());
        model.addAttribute("current", loyalty.program());
        model.addAttribute("currentWarningDays", warnings.warningDays());
        return "loyalty/program";
    }

    /** Sorts of the per-store table. */
    static final Map<String, Comparator<LiabilityReport.StoreEarning>> STORE_SORTS = new LinkedHashMap<>();

    static {
        STORE_SORTS.put(
                "store",
                Comparator.comparing(
                        LiabilityReport.StoreEarning::storeCode, Comparator.nullsFirst(Comparator.naturalOrder())));
        STORE_SORTS.put("earned", Comparator.comparingLong(LiabilityReport.StoreEarning::earned));
    }

    @GetMapping("/liability")
    String liability(
            @RequestParam(required = false) Integer page,
            @RequestParam(required = false) Integer size,
            @RequestParam(required = false) String q,
            @RequestParam(required = false) String sort,
            Model model,
            HttpServletRequest request) {
        LiabilityReport.Liability report = liability.report(true);
        PageQuery pq = PageQuery.of(page, size, q, sort);
        Comparator<LiabilityReport.StoreEarning> cmp = STORE_SORTS.get(pq.sort() == null ? "earned" : pq.sort());
        if (cmp == null) {
            throw PatronException.invalid("sort", "validation.sort", String.join(", ", STORE_SORTS.keySet()));
        }
        boolean desc = pq.sort() == null || pq.desc();
        List<LiabilityReport.StoreEarning> rows = new ArrayList<>(report.stores().stream()
                .filter(s -> pq.q() == null
                        || (s.storeCode() != null
                                && s.storeCode().toLowerCase().contains(pq.q().toLowerCase())))
                .toList());
        rows.sort(desc ? cmp.reversed() : cmp);
        PageResult<LiabilityReport.StoreEarning> stores = new PageResult<>(
                rows.stream().skip(pq.offset()).limit(pq.size()).toList(), pq.page(), pq.size(), rows.size());
        model.addAttribute("report", report);
        model.addAttribute("stores", stores);
        model.addAttribute("links", ListLinks.of("/loyalty/liability", pq, "earned"));
        model.addAttribute("chart", chart(report));
        return Forms.wantsFragment(request) ? "loyalty/liability :: results" : "loyalty/liability";
    }

    private String chart(LiabilityReport.Liability r) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("months", r.months().stream().map(m -> m.month().toString()).toList());
        c.put("earned", r.months().stream().map(LiabilityReport.Month::earned).toList());
        c.put(
                "redeemed",
                r.months().stream().map(LiabilityReport.Month::redeemed).toList());
        c.put("expired", r.months().stream().map(LiabilityReport.Month::expired).toList());
        c.put("earnedLabel", msg("liability.earned"));
        c.put("redeemedLabel", msg("liability.redeemed"));
        c.put("expiredLabel", msg("liability.expired"));
        return json.writeValueAsString(c);
    }

    /** The statement panel's body for another month (HTMX month picker of the 360 view). */
    @GetMapping("/members/{id:\\d+}/statement")
    String statement(
            @PathVariable long id,
            @RequestParam(required = false) String month,
            Model model,
            HttpServletRequest request,
            HttpServletResponse response) {
        MemberStatement s;
        try {
            s = statements.statement(id, month);
        } catch (PatronException e) {
            if (e.fieldErrors().isEmpty()
                    || !"month".equals(e.fieldErrors().get(0).field())) {
                throw e;
            }
            // HTMX swaps only 2xx answers: show the problem in the panel, with the default month
            if (!Forms.wantsFragment(request)) {
                response.setStatus(e.status().value());
            }
            model.addAttribute("monthProblem", msg(e.messageKey(), e.args()));
            s = statements.statement(id, null);
        }
        model.addAttribute("panel", s);
        return "loyalty/statement-panel :: panel";
    }

    static YearMonth currentMonth() {
        return Statements.lastFullMonth().plusMonths(1);
    }

    private String msg(String key, Object... args) {
        return messages.getMessage(key, args, key, LocaleContextHolder.getLocale());
    }
}
