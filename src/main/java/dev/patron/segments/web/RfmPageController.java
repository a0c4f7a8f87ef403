package dev.patron.segments.web;

import dev.patron.segments.FactsRefresh;
import dev.patron.segments.Rfm;
import dev.patron.segments.RfmCell;
import dev.patron.segments.RfmGrid;
import dev.patron.segments.RfmMigration;
import dev.patron.segments.RfmSettings;
import dev.patron.segments.ValuePyramid;
import dev.patron.shared.web.ConsolePage;
import dev.patron.shared.web.Forms;
import dev.patron.shared.web.PatronException;
import jakarta.servlet.http.HttpServletResponse;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.springframework.context.MessageSource;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.validation.BindingResult;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.ModelAttribute;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;
import tools.jackson.databind.json.JsonMapper;

/**
 * The RFM pages: the R×F grid (heatmap, table with counts, shares, strategy and contact frequency,
 * the migration matrix since the previous month), editing a cell, the settings, the on-demand
 * refresh, and the value pyramid. Roles as {@link Rfm}: MARKETER, ANALYST, ADMIN with all stores
 * read; MARKETER and ADMIN edit; ADMIN refreshes.
 */
@Controller
@RequestMapping("/segments")
class RfmPageController implements ConsolePage {

    /** A cell as edited on the page. */
    static class CellForm {
        private String nameZh;
        private String nameEn;
        private String strategyZh;
        private String strategyEn;
        private String contactEveryDays;

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

        public String getStrategyZh() {
            return strategyZh;
        }

        public void setStrategyZh(String strategyZh) {
            this.strategyZh = strategyZh;
        }

        public String getStrategyEn() {
            return strategyEn;
        }

        public void setStrategyEn(String strategyEn) {
            this.strategyEn = strategyEn;
        }

        public String getContactEveryDays() {
            return contactEveryDays;
        }

        public void setContactEveryDays(String contactEveryDays) {
            this.contactEveryDays = contactEveryDays;
        }
    }

    /** The settings as edited on the page; the pyramid layers as "1, 4, 15, 30". */
    static class SettingsForm {
        private String activeDays;
        private String silentDays;
        private String sleepingDays;
        private String secondMin;
        private String oldMin;
        private String fanMin;
        private String windowMonths;
        private String pyramidPercents;

        public String getActiveDays() {
            return activeDays;
        }

        public void setActiveDays(String activeDays) {
            this.activeDays = activeDays;
        }

        public String getSilentDays() {
            return silentDays;
        }

        public void setSilentDays(String silentDays) {
            this.silentDays = silentDays;
        }

        public String getSleepingDays() {
            return sleepingDays;
        }

        public void setSleepingDays(String sleepingDays) {
            this.sleepingDays = sleepingDays;
        }

        public String getSecondMin() {
            return secondMin;
        }

        public void setSecondMin(String secondMin) {
            this.secondMin = secondMin;
        }

        public String getOldMin() {
            return oldMin;
        }

        public void setOldMin(String oldMin) {
            this.oldMin = oldMin;
        }

        public String getFanMin() {
            return fanMin;
        }

        public void setFanMin(String fanMin) {
            this.fanMin = fanMin;
        }

        public String getWindowMonths() {
            return windowMonths;
        }

        public void setWindowMonths(String windowMonths) {
            this.windowMonths = windowMonths;
        }

        public String getPyramidPercents() {
            return pyramidPercents;
        }

        public void setPyramidPercents(String pyramidPercents) {
            this.pyramidPercents = pyramidPercents;
        }
    }

    private final Rfm rfm;
    private final JsonMapper json;
    private final MessageSource messages;

    RfmPageController(Rfm rfm, JsonMapper json, MessageSource messages) {
        this.rfm = rfm;
        this.json = json;
        this.messages = messages;
    }

    @GetMapping("/rfm")
    String grid(Model model, Locale locale) {
        RfmGrid grid = rfm.grid();
        RfmMigration migration = rfm.migration();
        model.addAttribute("grid", grid);
        model.addAttribute("migration", migration);
        model.addAttribute("settings", rfm.settings());
        model.addAttribute("rBands", RfmCell.R_BANDS);
        model.addAttribute("fBands", RfmCell.F_BANDS);
        model.addAttribute("heatmap", heatmap(grid, locale));
        model.addAttribute("moves", moves(migration, locale));
        model.addAttribute("topMoves", migration.moves().stream().limit(20).toList());
        model.addAttribute("cellNames", cellNames(grid, locale));
        return "segments/rfm";
    }

    private String msg(String key, Locale locale) {
        return messages.getMessage(key, null, locale);
    }

    private Map<String, String> cellNames(RfmGrid grid, Locale locale) {
        Map<String, String> names = new LinkedHashMap<>();
        grid.cells()
                .forEach(c -> names.put(
                        c.cell().rBand() + "/" + c.cell().fBand(), c.cell().name(locale)));
        return names;
    }

    /** The 4×4 heatmap: x = F bands, y = R bands (ACTIVE on top), value = members, with names and shares. */
    private String heatmap(RfmGrid grid, Locale locale) {
        List<Object[]> data = new ArrayList<>();
        for (RfmGrid.Cell c : grid.cells()) {
            int x = RfmCell.F_BANDS.indexOf(c.cell().fBand());
            int y = 3 - RfmCell.R_BANDS.indexOf(c.cell().rBand());
            data.add(new Object[] {x, y, c.members(), c.cell().name(locale), c.memberShare(), c.salesShare()});
        }
        Map<String, Object> chart = new LinkedHashMap<>();
        chart.put(
                "x",
                RfmCell.F_BANDS.stream().map(f -> msg("rfm.f." + f, locale)).toList());
        chart.put(
                "y",
                java.util.stream.IntStream.rangeClosed(1, 4)
                        .mapToObj(i -> RfmCell.R_BANDS.get(4 - i))
                        .map(r -> msg("rfm.r." + r, locale))
                        .toList());
        chart.put("data", data);
        chart.put("membersLabel", msg("rfm.members", locale));
        chart.put("salesLabel", msg("rfm.salesShare", locale));
        return json.writeValueAsString(chart);
    }

    /** The migration matrix as a heatmap: x = cell now, y = cell at the end of the previous month. */
    private String moves(RfmMigration migration, Locale locale) {
        List<String> cells = new ArrayList<>();
        for (String r : RfmCell.R_BANDS) {
            for (String f : RfmCell.F_BANDS) {
                cells.add(r + "/" + f);
            }
        }
        List<String> labels = new ArrayList<>();
        for (String c : cells) {
            String[] p = c.split("/");
            labels.add(msg("rfm.r." + p[0], locale) + "·" + msg("rfm.f." + p[1], locale));
        }
        List<String> from = new ArrayList<>(labels);
        from.add(msg("rfm.migration.none", locale));
        List<String> to = new ArrayList<>(labels);
        to.add(msg("rfm.migration.none", locale));
        List<Object[]> data = new ArrayList<>();
        for (RfmMigration.Move m : migration.moves()) {
            int x = m.toCell() == null ? 16 : cells.indexOf(m.toCell());
            int y = m.fromCell() == null ? 16 : cells.indexOf(m.fromCell());
            data.add(new Object[] {x, y, m.members()});
        }
        Map<String, Object> chart = new LinkedHashMap<>();
        chart.put("x", to);
        chart.put("y", from);
        chart.put("data", data);
        chart.put("xName", msg("rfm.migration.to", locale));
        chart.put("yName", msg("rfm.migration.from", locale));
        return json.writeValueAsString(chart);
    }

    @PostMapping("/rfm/refresh")
    String refresh(RedirectAttributes redirect) {
        FactsRefresh r = rfm.refresh(null, false);
        redirect.addFlashAttribute("flash", "rfm.flash.refreshed");
        redirect.addFlashAttribute("flashArg", r.rfm());
        return "redirect:/segments/rfm";
    }

    @GetMapping("/rfm/cells/{r}/{f}")
    String editCell(@PathVariable String r, @PathVariable String f, Model model) {
        RfmCell c = cell(r, f);
        if (!rfm.mayEdit()) {
            throw new org.springframework.security.access.AccessDeniedException("error.forbidden");
        }
        CellForm form = new CellForm();
        form.setNameZh(c.nameZh());
        form.setNameEn(c.nameEn());
        form.setStrategyZh(c.strategyZh());
        form.setStrategyEn(c.strategyEn());
        form.setContactEveryDays(
                c.contactEveryDays() == null ? "" : c.contactEveryDays().toString());
        model.addAttribute("form", form);
        model.addAttribute("cell", c);
        return "segments/rfm-cell";
    }

    private RfmCell cell(String r, String f) {
        return rfm.cells().stream()
                .filter(c -> c.rBand().equals(r) && c.fBand().equals(f))
                .findFirst()
                .orElseThrow(() -> PatronException.notFound("rfm.unknownBand", r + "/" + f));
    }

    @PostMapping("/rfm/cells/{r}/{f}")
    String saveCell(
            @PathVariable String r,
            @PathVariable String f,
            @ModelAttribute("form") CellForm form,
            BindingResult result,
            Model model,
            HttpServletResponse response,
            RedirectAttributes redirect) {
        RfmCell c = cell(r, f);
        Integer every = null;
        if (form.getContactEveryDays() != null && !form.getContactEveryDays().isBlank()) {
            try {
                every = Integer.valueOf(form.getContactEveryDays().strip());
            } catch (NumberFormatException e) {
                result.rejectValue("contactEveryDays", "rfm.validation.number");
            }
        }
        if (!result.hasErrors()) {
            try {
                rfm.updateCell(
                        r,
                        f,
                        new RfmCell(
                                r,
                                f,
                                form.getNameZh(),
                                form.getNameEn(),
                                form.getStrategyZh(),
                                form.getStrategyEn(),
                                every));
                redirect.addFlashAttribute("flash", "rfm.flash.cellSaved");
                redirect.addFlashAttribute("flashArg", r + "/" + f);
                return "redirect:/segments/rfm";
            } catch (PatronException e) {
                Forms.reject(result, e, response);
            }
        } else {
            Forms.invalid(response);
        }
        model.addAttribute("cell", c);
        return "segments/rfm-cell";
    }

    @GetMapping("/rfm/settings")
    String settings(Model model) {
        RfmSettings s = rfm.settings();
        if (!rfm.mayEdit()) {
            throw new org.springframework.security.access.AccessDeniedException("error.forbidden");
        }
        SettingsForm form = new SettingsForm();
        form.setActiveDays(s.activeDays().toString());
        form.setSilentDays(s.silentDays().toString());
        form.setSleepingDays(s.sleepingDays().toString());
        form.setSecondMin(s.secondMin().toString());
        form.setOldMin(s.oldMin().toString());
        form.setFanMin(s.fanMin().toString());
        form.setWindowMonths(s.windowMonths().toString());
        form.setPyramidPercents(String.join(
                ", ",
                s.pyramidPercents().stream().map(BigDecimal::toPlainString).toList()));
        model.addAttribute("form", form);
        return "segments/rfm-settings";
    }

    @PostMapping("/rfm/settings")
    String saveSettings(
            @ModelAttribute("form") SettingsForm form,
            BindingResult result,
            HttpServletResponse response,
            RedirectAttributes redirect) {
        Integer[] v = new Integer[7];
        String[] fields = {"activeDays", "silentDays", "sleepingDays", "secondMin", "oldMin", "fanMin", "windowMonths"};
        String[] values = {
            form.getActiveDays(),
            form.getSilentDays(),
            form.getSleepingDays(),
            form.getSecondMin(),
            form.getOldMin(),
            form.getFanMin(),
            form.getWindowMonths()
        };
        for (int i = 0; i < fields.length; i++) {
            v[i] = integer(values[i], fields[i], result);
        }
        List<BigDecimal> percents = new ArrayList<>();
        if (form.getPyramidPercents() == null || form.getPyramidPercents().isBlank()) {
            result.rejectValue("pyramidPercents", "validation.required");
        } else {
            for (String p : form.getPyramidPercents().split("[,，\\s]+")) {
                if (p.isBlank()) {
                    continue;
                }
                try {
                    percents.add(new BigDecimal(p.strip().replace("%", "")));
                } catch (NumberFormatException e) {
                    result.rejectValue("pyramidPercents", "rfm.validation.percent");
                    break;
                }
            }
        }
        if (!result.hasErrors()) {
            try {
                rfm.updateSettings(new RfmSettings(v[0], v[1], v[2], v[3], v[4], v[5], v[6], percents));
                redirect.addFlashAttribute("flash", "rfm.flash.settingsSaved");
                return "redirect:/segments/rfm";
            } catch (PatronException e) {
                // pyramidPercents[i] → the one text field
                PatronException mapped = new PatronException(
                        e.status(),
                        e.fieldErrors().stream()
                                .map(fe -> new PatronException.FieldError(
                                        fe.field().replaceAll("\\[\\d+]$", ""), fe.messageKey(), fe.args()))
                                .toList(),
                        e.messageKey(),
                        e.args());
                Forms.reject(result, mapped, response);
            }
        } else {
            Forms.invalid(response);
        }
        return "segments/rfm-settings";
    }

    private static Integer integer(String value, String field, BindingResult result) {
        if (value == null || value.isBlank()) {
            result.rejectValue(field, "validation.required");
            return null;
        }
        try {
            return Integer.valueOf(value.strip());
        } catch (NumberFormatException e) {
            result.rejectValue(field, "rfm.validation.number");
            return null;
        }
    }

    @GetMapping("/pyramid")
    String pyramid(Model model, Locale locale) {
        ValuePyramid p = rfm.pyramid();
        model.addAttribute("pyramid", p);
        List<Map<String, Object>> layers = new ArrayList<>();
        for (ValuePyramid.Layer l : p.layers()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put(
                    "name",
                    messages.getMessage(
                            "rfm.pyramid.layerName",
                            new Object[] {
                                l.layer(),
                                l.fromPercent().toPlainString(),
                                l.toPercent().toPlainString()
                            },
                            locale));
            m.put("members", l.members());
            m.put("spendShare", l.spendShare());
            m.put("spendYuan", BigDecimal.valueOf(l.spendFen(), 2));
            layers.add(m);
        }
        Map<String, Object> chart = new LinkedHashMap<>();
        chart.put("layers", layers);
        chart.put("membersLabel", msg("rfm.members", locale));
        chart.put("salesLabel", msg("rfm.salesShare", locale));
        model.addAttribute("chart", json.writeValueAsString(chart));
        return "segments/pyramid";
    }
}
