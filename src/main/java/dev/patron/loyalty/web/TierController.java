package dev.patron.loyalty.web;

import dev.patron.loyalty.TierLevel;
import dev.patron.loyalty.TierOverrideCommand;
import dev.patron.loyalty.TierSettings;
import dev.patron.loyalty.Tiers;
import dev.patron.shared.web.ConsolePage;
import dev.patron.shared.web.ConsoleUser;
import dev.patron.shared.web.Forms;
import dev.patron.shared.web.PatronException;
import jakarta.servlet.http.HttpServletResponse;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.validation.BindingResult;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.ModelAttribute;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/**
 * The tier settings page (levels by rank with their benefits, the qualification basis; ADMIN with
 * all stores edits one level at a time, checked by {@link Tiers#updateSettings} with its errors shown
 * next to the fields) and the override form of the 360 view's tier panel.
 */
@Controller
@RequestMapping("/loyalty")
class TierController implements ConsolePage {

    private static final Pattern LEVEL_FIELD = Pattern.compile("^levels\\[(\\d+)]\\.(\\w+)$");

    /** One level as edited on the page: thresholds in yuan (SPEND) or points, services one per line. */
    static class LevelForm {
        private String code;
        private String rank;
        private String nameZh;
        private String nameEn;
        private String threshold;
        private String pointsMultiplier;
        private String discountRate;
        private String freeServices;
        private String birthdayGift;

        public String getCode() {
            return code;
        }

        public void setCode(String code) {
            this.code = code;
        }

        public String getRank() {
            return rank;
        }

        public void setRank(String rank) {
            this.rank = rank;
        }

        public String getNameZh() {
            return nameZh;
        }

        public void setNameZh(String nameZh) {
            this.nameZh = nameZh;
        }

        public String getNameEn() {
            return nameEn;
        }

        public void setNameEn(String nameEn) {
            this.nameEn = nameEn;
        }

        public String getThreshold() {
            return threshold;
        }

        public void setThreshold(String threshold) {
            this.threshold = threshold;
        }

        public String getPointsMultiplier() {
            return pointsMultiplier;
        }

        public void setPointsMultiplier(String pointsMultiplier) {
            this.pointsMultiplier = pointsMultiplier;
        }

        public String getDiscountRate() {
            return discountRate;
        }

        public void setDiscountRate(String discountRate) {
            this.discountRate = discountRate;
        }

        public String getFreeServices() {
            return freeServices;
        }

        public void setFreeServices(String freeServices) {
            this.freeServices = freeServices;
        }

        public String getBirthdayGift() {
            return birthdayGift;
        }

        public void setBirthdayGift(String birthdayGift) {
            this.birthdayGift = birthdayGift;
        }
    }

    /** The override form of the tier panel. */
    static class OverrideForm {
        private String tierCode;
        private String reason;
        private String until;

        public String getTierCode() {
            return tierCode;
        }

        public void setTierCode(String tierCode) {
            this.tierCode = tierCode;
        }

        public String getReason() {
            return reason;
        }

        public void setReason(String reason) {
            this.reason = reason;
        }

        public String getUntil() {
            return until;
        }

        public void setUntil(String until) {
            this.until = until;
        }
    }

    /** The basis form. */
    static class BasisForm {
        private String basis;

        public String getBasis() {
            return basis;
        }

        public void setBasis(String basis) {
            this.basis = basis;
        }
    }

    private final Tiers tiers;

    TierController(Tiers tiers) {
        this.tiers = tiers;
    }

    @GetMapping("/tiers")
    String list(Model model) {
        TierSettings s = tiers.settings();
        BasisForm basis = new BasisForm();
        basis.setBasis(s.basis());
        model.addAttribute("settings", s);
        model.addAttribute("basisForm", basis);
        return "loyalty/tiers";
    }

    @PostMapping("/tiers/basis")
    String basis(@ModelAttribute("basisForm") BasisForm form, RedirectAttributes redirect) {
        ConsoleUser.requireHeadOfficeAdmin();
        TierSettings s = tiers.settings();
        try {
            tiers.updateSettings(new TierSettings(form.getBasis(), s.levels()));
        } catch (PatronException e) {
            redirect.addFlashAttribute(
                    "basisError",
                    e.fieldErrors().isEmpty()
                            ? e.messageKey()
                            : e.fieldErrors().get(0).messageKey());
            return "redirect:/loyalty/tiers";
        }
        redirect.addFlashAttribute("flash", "tiers.flash.basisSaved");
        redirect.addFlashAttribute("flashArg", form.getBasis());
        return "redirect:/loyalty/tiers";
    }

    @GetMapping("/tiers/new")
    String newForm(Model model) {
        ConsoleUser.requireHeadOfficeAdmin();
        TierSettings s = tiers.settings();
        LevelForm f = new LevelForm();
        int rank = s.levels().stream().mapToInt(TierLevel::rank).max().orElse(-1) + 1;
        f.setRank(String.valueOf(rank));
        f.setPointsMultiplier("1");
        f.setDiscountRate("1");
        model.addAttribute("form", f);
        return form(model, s, null);
    }

    @GetMapping("/tiers/{code}/edit")
    String editForm(@PathVariable String code, Model model) {
        ConsoleUser.requireHeadOfficeAdmin();
        TierSettings s = tiers.settings();
        TierLevel l = s.levels().stream()
                .filter(x -> x.code().equals(code))
                .findFirst()
                .orElseThrow(() -> PatronException.notFound("tiers.notFound", code));
        LevelForm f = new LevelForm();
        f.setCode(l.code());
        f.setRank(String.valueOf(l.rank()));
        f.setNameZh(l.nameZh());
        f.setNameEn(l.nameEn());
        f.setThreshold(
                "SPEND".equals(s.basis())
                        ? BigDecimal.valueOf(l.threshold(), 2).toPlainString()
                        : String.valueOf(l.threshold()));
        f.setPointsMultiplier(l.pointsMultiplier().stripTrailingZeros().toPlainString());
        f.setDiscountRate(l.discountRate().stripTrailingZeros().toPlainString());
        f.setFreeServices(String.join("\n", l.freeServices()));
        f.setBirthdayGift(l.birthdayGift());
        model.addAttribute("form", f);
        return form(model, s, code);
    }

    @PostMapping("/tiers")
    String create(
            @ModelAttribute("form") LevelForm form,
            BindingResult result,
            Model model,
            HttpServletResponse response,
            RedirectAttributes redirect) {
        return save(null, form, result, model, response, redirect);
    }

    @PostMapping("/tiers/{code}")
    String update(
            @PathVariable String code,
            @ModelAttribute("form") LevelForm form,
            BindingResult result,
            Model model,
            HttpServletResponse response,
            RedirectAttributes redirect) {
        return save(code, form, result, model, response, redirect);
    }

    @PostMapping("/tiers/{code}/delete")
    String delete(@PathVariable String code, RedirectAttributes redirect) {
        ConsoleUser.requireHeadOfficeAdmin();
        TierSettings s = tiers.settings();
        List<TierLevel> levels = new ArrayList<>(s.levels());
        levels.removeIf(l -> l.code().equals(code));
        try {
            tiers.updateSettings(new TierSettings(s.basis(), levels));
        } catch (PatronException e) {
            redirect.addFlashAttribute(
                    "basisError",
                    e.fieldErrors().isEmpty()
                            ? e.messageKey()
                            : e.fieldErrors().get(0).messageKey());
            redirect.addFlashAttribute("basisErrorArg", code);
            return "redirect:/loyalty/tiers";
        }
        redirect.addFlashAttribute("flash", "tiers.flash.deleted");
        redirect.addFlashAttribute("flashArg", code);
        return "redirect:/loyalty/tiers";
    }

    private String save(
            String editing,
            LevelForm form,
            BindingResult result,
            Model model,
            HttpServletResponse response,
            RedirectAttributes redirect) {
        ConsoleUser.requireHeadOfficeAdmin();
        TierSettings s = tiers.settings();
        boolean spend = "SPEND".equals(s.basis());
        Integer rank = integer(form.getRank(), "rank", result);
        Long threshold = threshold(form.getThreshold(), spend, result);
        BigDecimal multiplier = decimal(form.getPointsMultiplier(), "pointsMultiplier", result);
        BigDecimal discount = decimal(form.getDiscountRate(), "discountRate", result);
        if (result.hasErrors()) {
            Forms.invalid(response);
            return form(model, s, editing);
        }
        TierLevel level = new TierLevel(
                form.getCode() == null ? null : form.getCode().strip(),
                rank,
                form.getNameZh(),
                form.getNameEn(),
                threshold,
                multiplier,
                discount,
                form.getFreeServices() == null
                        ? List.of()
                        : Arrays.stream(form.getFreeServices().split("\\R"))
                                .map(String::strip)
                                .filter(x -> !x.isEmpty())
                                .toList(),
                form.getBirthdayGift());
        List<TierLevel> levels = new ArrayList<>(s.levels());
        int index = -1;
        for (int i = 0; i < levels.size(); i++) {
            if (levels.get(i).code().equals(editing)) {
                index = i;
            }
        }
        if (editing != null && index < 0) {
            throw PatronException.notFound("tiers.notFound", editing);
        }
        if (index >= 0) {
            levels.set(index, level);
        } else {
            levels.add(level);
            index = levels.size() - 1;
        }
        try {
            tiers.updateSettings(new TierSettings(s.basis(), levels));
        } catch (PatronException e) {
            // errors of this level go next to its fields; the others (e.g. another level's rank) above the form
            for (PatronException.FieldError fe : e.fieldErrors()) {
                Matcher m = LEVEL_FIELD.matcher(fe.field());
                if (m.matches() && Integer.parseInt(m.group(1)) == index) {
                    result.rejectValue(m.group(2), fe.messageKey(), fe.args(), fe.messageKey());
                } else {
                    result.reject(fe.messageKey(), fe.args(), fe.messageKey());
                }
            }
            if (e.fieldErrors().isEmpty()) {
                throw e;
            }
            response.setStatus(e.status().value());
            return form(model, s, editing);
        }
        redirect.addFlashAttribute("flash", "tiers.flash.saved");
        redirect.addFlashAttribute("flashArg", level.code());
        return "redirect:/loyalty/tiers";
    }

    private static Integer integer(String value, String field, BindingResult result) {
        if (value == null || value.isBlank()) {
            result.rejectValue(field, "validation.required");
            return null;
        }
        try {
            return Integer.valueOf(value.strip());
        } catch (NumberFormatException e) {
            result.rejectValue(field, "tiers.validation.number");
            return null;
        }
    }

    private static BigDecimal decimal(String value, String field, BindingResult result) {
        if (value == null || value.isBlank()) {
            result.rejectValue(field, "validation.required");
            return null;
        }
        try {
            return new BigDecimal(value.strip());
        } catch (NumberFormatException e) {
            result.rejectValue(field, "tiers.validation.number");
            return null;
        }
    }

    /** Yuan with at most 2 decimals → fen (SPEND), or whole points (POINTS). */
    private static Long threshold(String value, boolean spend, BindingResult result) {
        BigDecimal d = decimal(value, "threshold", result);
        if (d == null) {
            return null;
        }
        try {
            return spend ? d.movePointRight(2).longValueExact() : d.longValueExact();
        } catch (ArithmeticException e) {
            result.rejectValue("threshold", spend ? "tiers.validation.yuan" : "tiers.validation.wholePoints");
            return null;
        }
    }

    private String form(Model model, TierSettings s, String editing) {
        model.addAttribute("settings", s);
        model.addAttribute("editing", editing);
        return "loyalty/tiers-form";
    }

    // ------------------------------------------------------------------ override (tier panel of the 360 view)

    @PostMapping("/members/{id}/tier/override")
    String override(
            @PathVariable long id,
            @ModelAttribute("form") OverrideForm form,
            BindingResult result,
            Model model,
            HttpServletResponse response,
            RedirectAttributes redirect) {
        LocalDate until = null;
        if (form.getUntil() != null && !form.getUntil().isBlank()) {
            try {
                until = LocalDate.parse(form.getUntil().strip());
            } catch (java.time.format.DateTimeParseException e) {
                result.rejectValue("until", "tiers.validation.date");
            }
        }
        if (!result.hasErrors()) {
            try {
                tiers.override(id, new TierOverrideCommand(form.getTierCode(), form.getReason(), until));
                redirect.addFlashAttribute("flash", "tiers.flash.overridden");
                redirect.addFlashAttribute("flashArg", form.getTierCode());
                return "redirect:/members/" + id;
            } catch (PatronException e) {
                Forms.reject(result, e, response);
            }
        } else {
            Forms.invalid(response);
        }
        model.addAttribute("memberId", id);
        model.addAttribute("levels", tiers.settings().levels());
        return "loyalty/tiers-override";
    }

    @PostMapping("/members/{id}/tier/override/end")
    String endOverride(@PathVariable long id, RedirectAttributes redirect) {
        tiers.endOverride(id);
        redirect.addFlashAttribute("flash", "tiers.flash.overrideEnded");
        redirect.addFlashAttribute("flashArg", id);
        return "redirect:/members/" + id;
    }
}
