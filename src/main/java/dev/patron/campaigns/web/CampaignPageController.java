package dev.patron.campaigns.web;

import dev.patron.campaigns.Audience;
import dev.patron.campaigns.Campaign;
import dev.patron.campaigns.CampaignCommand;
import dev.patron.campaigns.CampaignKind;
import dev.patron.campaigns.CampaignResults;
import dev.patron.campaigns.CampaignStatus;
import dev.patron.campaigns.Campaigns;
import dev.patron.campaigns.Channel;
import dev.patron.campaigns.Lift;
import dev.patron.campaigns.Preview;
import dev.patron.campaigns.TemplateText;
import dev.patron.shared.security.CurrentStaff;
import dev.patron.shared.security.Role;
import dev.patron.shared.web.ConsolePage;
import dev.patron.shared.web.Forms;
import dev.patron.shared.web.ListLinks;
import dev.patron.shared.web.PageQuery;
import dev.patron.shared.web.PatronException;
import dev.patron.shared.web.SelectOption;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.context.MessageSource;
import org.springframework.context.i18n.LocaleContextHolder;
import org.springframework.format.annotation.DateTimeFormat;
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
 * Console pages of campaigns: the list, the editor of a draft (plan, templates, audience list), the
 * campaign page (lifecycle actions, audience report, message previews, test send, live sending
 * progress polled with HTMX) and the results page with charts. Every rule is {@link Campaigns}'s, so
 * the pages obey the same role checks as the REST API.
 */
@Controller
@RequestMapping("/campaigns")
class CampaignPageController implements ConsolePage {

    static final ZoneId ZONE = ZoneId.of("Asia/Shanghai");

    /** The editor's form: the plan and the Chinese / English texts of both channels. */
    record CampaignForm(
            String name,
            String kind,
            String goal,
            String brandCode,
            @DateTimeFormat(iso = DateTimeFormat.ISO.DATE) LocalDate periodStart,
            @DateTimeFormat(iso = DateTimeFormat.ISO.DATE) LocalDate periodEnd,
            Long budgetFen,
            Long otherCostFen,
            List<String> channels,
            Integer controlPct,
            Integer attributionDays,
            Long bonusPoints,
            String giftName,
            Long giftCostFen,
            String emailSubject,
            String emailBody,
            String emailHtml,
            String emailSubjectEn,
            String emailBodyEn,
            String smsBody,
            String smsBodyEn,
            String phoneScript) {

        static CampaignForm empty() {
            LocalDate today = LocalDate.now(ZONE);
            return new CampaignForm(
                    null,
                    "MALL_WIDE",
                    null,
                    null,
                    today,
                    today.plusDays(14),
                    0L,
                    0L,
                    List.of("EMAIL"),
                    10,
                    14,
                    0L,
                    null,
                    0L,
                    null,
                    null,
                    null,
                    null,
                    null,
                    null,
                    null,
                    null);
        }

        static CampaignForm of(Campaign c) {
            TemplateText ez = c.template(Channel.EMAIL, "zh");
            TemplateText ee = c.template(Channel.EMAIL, "en");
            TemplateText sz = c.template(Channel.SMS, "zh");
            TemplateText se = c.template(Channel.SMS, "en");
            TemplateText pz = c.template(Channel.PHONE, "zh");
            return new CampaignForm(
                    c.name(),
                    c.kind().name(),
                    c.goal(),
                    c.brandCode(),
                    c.periodStart(),
                    c.periodEnd(),
                    c.budgetFen(),
                    c.otherCostFen(),
                    c.channels().stream().map(Enum::name).toList(),
                    c.controlPct(),
                    c.attributionDays(),
                    c.bonusPoints(),
                    c.giftName(),
                    c.giftCostFen(),
                    ez == null ? null : ez.subject(),
                    ez == null ? null : ez.body(),
                    ez == null ? null : ez.html(),
                    ee == null ? null : ee.subject(),
                    ee == null ? null : ee.body(),
                    sz == null ? null : sz.body(),
                    se == null ? null : se.body(),
                    pz == null ? null : pz.body());
        }

        CampaignCommand command() {
            Set<Channel> chosen = EnumSet.noneOf(Channel.class);
            if (channels != null) {
                for (String c : channels) {
                    if (Arrays.stream(Channel.values()).anyMatch(x -> x.name().equals(c))) {
                        chosen.add(Channel.valueOf(c));
                    }
                }
            }
            List<TemplateText> templates = new ArrayList<>();
            if (notBlank(emailBody)) {
                templates.add(new TemplateText(Channel.EMAIL, "zh", emailSubject, emailBody, emailHtml, null));
            }
            if (notBlank(emailBodyEn)) {
                templates.add(new TemplateText(Channel.EMAIL, "en", emailSubjectEn, emailBodyEn, null, null));
            }
            if (notBlank(smsBody)) {
                templates.add(new TemplateText(Channel.SMS, "zh", null, smsBody, null, null));
            }
            if (notBlank(smsBodyEn)) {
                templates.add(new TemplateText(Channel.SMS, "en", null, smsBodyEn, null, null));
            }
            if (notBlank(phoneScript)) {
                templates.add(new TemplateText(Channel.PHONE, "zh", null, phoneScript, null, null));
            }
            CampaignKind k = kind == null || kind.isBlank()
                    ? null
                    : Arrays.stream(CampaignKind.values())
                            .filter(x -> x.name().equals(kind))
                            .findFirst()
                            .orElse(null);
            return new CampaignCommand(
                    name,
                    k,
                    goal,
                    brandCode,
                    periodStart,
                    periodEnd,
                    budgetFen,
                    otherCostFen,
                    chosen,
                    controlPct,
                    attributionDays,
                    bonusPoints,
                    giftName,
                    giftCostFen,
                    templates);
        }

        /**
         * The API's error on {@code templates[i].body|subject|html|type} belongs to the form's field
         * that made the i-th template (the templates are built in the order of {@link #command()}), so
         * it shows inline under that text (MKT-09 refusals); other errors stay as they are.
         */
        PatronException inline(PatronException e) {
            List<String[]> made = new ArrayList<>(); // {body, subject, html} per template, as in command()
            if (notBlank(emailBody)) {
                made.add(new String[] {"emailBody", "emailSubject", "emailHtml"});
            }
            if (notBlank(emailBodyEn)) {
                made.add(new String[] {"emailBodyEn", "emailSubjectEn", "emailBodyEn"});
            }
            if (notBlank(smsBody)) {
                made.add(new String[] {"smsBody", "smsBody", "smsBody"});
            }
            if (notBlank(smsBodyEn)) {
                made.add(new String[] {"smsBodyEn", "smsBodyEn", "smsBodyEn"});
            }
            if (notBlank(phoneScript)) {
                made.add(new String[] {"phoneScript", "phoneScript", "phoneScript"});
            }
            List<PatronException.FieldError> errors = new ArrayList<>();
            for (PatronException.FieldError f : e.fieldErrors()) {
                java.util.regex.Matcher m = java.util.regex.Pattern.compile("templates\\[(\\d+)]\\.(\\w+)")
                        .matcher(f.field());
                String field = f.field();
                if (m.matches() && Integer.parseInt(m.group(1)) < made.size()) {
                    String[] fields = made.get(Integer.parseInt(m.group(1)));
                    field = switch (m.group(2)) {
                        case "subject" -> fields[1];
                        case "html" -> fields[2];
                        default -> fields[0];
                    };
                }
                errors.add(new PatronException.FieldError(field, f.messageKey(), f.args()));
            }
            return e.fieldErrors().isEmpty() ? e : new PatronException(e.status(), errors, e.messageKey(), e.args());
        }

        private static boolean notBlank(String s) {
            return s != null && !s.isBlank();
        }
    }

    private final Campaigns campaigns;
    private final MessageSource messages;
    private final JsonMapper json;

    CampaignPageController(Campaigns campaigns, MessageSource messages, JsonMapper json) {
        this.campaigns = campaigns;
        this.messages = messages;
        this.json = json;
    }

    static boolean planner() {
        return CurrentStaff.get().hasAnyRole(Role.ADMIN, Role.MARKETER)
                && CurrentStaff.scope().allStores();
    }

    @GetMapping
    String list(
            @RequestParam(required = false) Integer page,
            @RequestParam(required = false) Integer size,
            @RequestParam(required = false) String q,
            @RequestParam(required = false) String sort,
            @RequestParam(required = false) String status,
            HttpServletRequest request,
            Model model) {
        PageQuery query = PageQuery.of(page, size, q, sort);
        CampaignStatus st = Arrays.stream(CampaignStatus.values())
                .filter(s -> s.name().equals(status))
                .findFirst()
                .orElse(null);
        model.addAttribute("result", campaigns.list(query, st));
        model.addAttribute(
                "links", ListLinks.of("/campaigns", query, "id").filter("status", st == null ? null : st.name()));
        model.addAttribute(
                "statuses",
                Arrays.stream(CampaignStatus.values())
                        .map(s -> new SelectOption(s.name(), "campaign.status." + s.name()))
                        .toList());
        model.addAttribute("status", st == null ? "" : st.name());
        model.addAttribute("planner", planner());
        return Forms.wantsFragment(request) ? "campaigns/list :: results" : "campaigns/list";
    }

    /** Results of several campaigns side by side, e.g. a campaign and the copy made from it (PDCA). */
    @GetMapping("/compare")
    String compare(@RequestParam(required = false) List<Long> ids, Model model) {
        List<CampaignResults> rows = campaigns.compare(ids == null ? List.of() : ids);
        model.addAttribute("rows", rows);
        var locale = LocaleContextHolder.getLocale();
        Map<String, Object> chart = new LinkedHashMap<>();
        chart.put(
                "names",
                rows.stream().map(r -> "#" + r.campaignId() + " " + r.name()).toList());
        chart.put(
                "incremental",
                rows.stream().map(r -> r.lift().incrementalSalesFen() / 100.0).toList());
        chart.put("cost", rows.stream().map(r -> r.cost().totalFen() / 100.0).toList());
        chart.put("incrementalLabel", messages.getMessage("campaign.results.incremental", null, locale));
        chart.put("costLabel", messages.getMessage("campaign.results.cost", null, locale));
        model.addAttribute("chart", json.writeValueAsString(chart));
        return "campaigns/compare";
    }

    // ------------------------------------------------------------------ editor

    @GetMapping("/new")
    String newForm(Model model) {
        requirePlanner();
        model.addAttribute("form", CampaignForm.empty());
        return editor(model, null);
    }

    @PostMapping
    String create(
            @ModelAttribute("form") CampaignForm form,
            BindingResult result,
            HttpServletResponse response,
            Model model,
            RedirectAttributes redirect) {
        requirePlanner();
        if (result.hasErrors()) {
            Forms.invalid(response);
            return editor(model, null);
        }
        try {
            Campaign c = campaigns.create(form.command());
            redirect.addFlashAttribute("flash", "campaign.flash.saved");
            redirect.addFlashAttribute("flashArg", c.name());
            return "redirect:/campaigns/" + c.id();
        } catch (PatronException e) {
            Forms.reject(result, form.inline(e), response);
            return editor(model, null);
        }
    }

    @GetMapping("/{id}/edit")
    String editForm(@PathVariable long id, Model model) {
        requirePlanner();
        Campaign c = campaigns.campaign(id);
        model.addAttribute("form", CampaignForm.of(c));
        return editor(model, c);
    }

    @PostMapping("/{id}")
    String update(
            @PathVariable long id,
            @ModelAttribute("form") CampaignForm form,
            BindingResult result,
            HttpServletResponse response,
            Model model,
            RedirectAttributes redirect) {
        requirePlanner();
        Campaign c = campaigns.campaign(id);
        if (result.hasErrors()) {
            Forms.invalid(response);
            return editor(model, c);
        }
        try {
            Campaign saved = campaigns.update(id, form.command());
            redirect.addFlashAttribute("flash", "campaign.flash.saved");
            redirect.addFlashAttribute("flashArg", saved.name());
            return "redirect:/campaigns/" + id;
        } catch (PatronException e) {
            Forms.reject(result, form.inline(e), response);
            return editor(model, c);
        }
    }

    private String editor(Model model, Campaign c) {
        model.addAttribute("editing", c);
        model.addAttribute(
                "kinds",
                Arrays.stream(CampaignKind.values())
                        .map(k -> new SelectOption(k.name(), "campaign.kind." + k.name()))
                        .toList());
        model.addAttribute(
                "channelOptions",
                Arrays.stream(Channel.values())
                        .map(k -> new SelectOption(k.name(), "campaign.channel." + k.name()))
                        .toList());
        return "campaigns/form";
    }

    // ------------------------------------------------------------------ the campaign page

    @GetMapping("/{id}")
    String show(@PathVariable long id, Model model) {
        Campaign c = campaigns.campaign(id);
        model.addAttribute("c", c);
        model.addAttribute("zone", ZONE);
        model.addAttribute("planner", planner());
        model.addAttribute("report", campaigns.audienceReport(id));
        model.addAttribute("progress", campaigns.progress(id));
        List<Preview> previews = new ArrayList<>();
        for (Channel ch : c.channels()) {
            try {
                previews.add(campaigns.previewSample(id, ch));
            } catch (PatronException e) {
                // no template for the channel yet: the editor says so
            }
        }
        model.addAttribute("previews", previews);
        model.addAttribute(
                "defaultSendAt",
                LocalDateTime.now(ZONE).withSecond(0).withNano(0).plusMinutes(5));
        return "campaigns/detail";
    }

    @GetMapping("/{id}/progress")
    String progress(@PathVariable long id, Model model) {
        Campaign c = campaigns.campaign(id);
        model.addAttribute("c", c);
        model.addAttribute("progress", campaigns.progress(id));
        model.addAttribute("planner", planner());
        return "campaigns/detail :: progress";
    }

    @PostMapping("/{id}/audience")
    String audience(
            @PathVariable long id, @RequestParam(required = false) String entries, RedirectAttributes redirect) {
        List<String> lines = entries == null ? List.of() : List.of(entries.split("\\R"));
        return act(id, redirect, () -> {
            Audience.Report r = campaigns.setAudience(
                    id,
                    new Audience.StaticList(
                            lines.stream().filter(l -> !l.isBlank()).toList()));
            redirect.addFlashAttribute("flash", "campaign.flash.audience");
            redirect.addFlashAttribute("flashArg", r.members());
        });
    }

    @PostMapping("/{id}/{action:submit|approve|reject|cancel}")
    String step(
            @PathVariable long id,
            @PathVariable String action,
            @RequestParam(required = false) String comment,
            RedirectAttributes redirect) {
        return act(id, redirect, () -> {
            switch (action) {
                case "submit" -> campaigns.submit(id, comment);
                case "approve" -> campaigns.approve(id, comment);
                case "reject" -> campaigns.reject(id, comment);
                default -> campaigns.cancel(id, comment);
            }
            redirect.addFlashAttribute("flash", "campaign.flash." + action);
            redirect.addFlashAttribute("flashArg", id);
        });
    }

    @PostMapping("/{id}/schedule")
    String schedule(
            @PathVariable long id,
            @RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE_TIME) LocalDateTime sendAt,
            @RequestParam(required = false) String comment,
            RedirectAttributes redirect) {
        Instant at = sendAt == null ? null : sendAt.atZone(ZONE).toInstant();
        return act(id, redirect, () -> {
            campaigns.schedule(id, at, comment);
            redirect.addFlashAttribute("flash", "campaign.flash.schedule");
            redirect.addFlashAttribute("flashArg", id);
        });
    }

    @PostMapping("/{id}/copy")
    String copy(@PathVariable long id, RedirectAttributes redirect) {
        Campaign copy = campaigns.copy(id);
        redirect.addFlashAttribute("flash", "campaign.flash.copied");
        redirect.addFlashAttribute("flashArg", id);
        return "redirect:/campaigns/" + copy.id() + "/edit";
    }

    @PostMapping("/{id}/test-send")
    String testSend(
            @PathVariable long id,
            @RequestParam(required = false) String channel,
            @RequestParam(required = false) String address,
            RedirectAttributes redirect) {
        Channel ch = Arrays.stream(Channel.values())
                .filter(x -> x.name().equals(channel))
                .findFirst()
                .orElse(null);
        return act(id, redirect, () -> {
            campaigns.testSend(id, ch, address, null);
            redirect.addFlashAttribute("flash", "campaign.flash.testSent");
            redirect.addFlashAttribute("flashArg", address);
        });
    }

    @PostMapping("/channels/{channel}/resume")
    String resume(@PathVariable Channel channel, @RequestParam long back, RedirectAttributes redirect) {
        campaigns.resumeChannel(channel);
        redirect.addFlashAttribute("flash", "campaign.flash.resumed");
        redirect.addFlashAttribute("flashArg", channel.name());
        return "redirect:/campaigns/" + back;
    }

    /** Runs an action; a refusal comes back on the campaign page with every reason given. */
    private String act(long id, RedirectAttributes redirect, Runnable action) {
        try {
            action.run();
        } catch (PatronException e) {
            List<String> problems = new ArrayList<>();
            var locale = LocaleContextHolder.getLocale();
            if (e.fieldErrors().isEmpty()) {
                problems.add(messages.getMessage(e.messageKey(), e.args(), e.messageKey(), locale));
            }
            for (PatronException.FieldError f : e.fieldErrors()) {
                problems.add(messages.getMessage(f.messageKey(), f.args(), f.messageKey(), locale));
            }
            redirect.addFlashAttribute("problems", problems);
        }
        return "redirect:/campaigns/" + id;
    }

    // ------------------------------------------------------------------ results

    @GetMapping("/{id}/results")
    String results(@PathVariable long id, Model model) {
        Campaign c = campaigns.campaign(id);
        CampaignResults r = campaigns.results(id);
        model.addAttribute("c", c);
        model.addAttribute("r", r);
        var locale = LocaleContextHolder.getLocale();
        Map<String, Object> chart = new LinkedHashMap<>();
        Lift l = r.lift();
        chart.put(
                "groups",
                List.of(
                        messages.getMessage("campaign.results.recipients", null, locale),
                        messages.getMessage("campaign.results.control", null, locale)));
        chart.put("means", List.of(yuan(l.treatmentMeanFen()), yuan(l.controlMeanFen())));
        chart.put("rates", List.of(percent(l.treatmentResponseRate()), percent(l.controlResponseRate())));
        chart.put("meanLabel", messages.getMessage("campaign.results.salesPerMember", null, locale));
        chart.put("rateLabel", messages.getMessage("campaign.results.responseRate", null, locale));
        chart.put(
                "funnelLabels",
                List.of(
                        messages.getMessage("campaign.results.sent", null, locale),
                        messages.getMessage("campaign.results.opened", null, locale),
                        messages.getMessage("campaign.results.clicked", null, locale),
                        messages.getMessage("campaign.results.responders", null, locale)));
        chart.put(
                "funnel",
                List.of(
                        r.funnel().sent(),
                        r.funnel().opened(),
                        r.funnel().clicked(),
                        Math.round(l.treatmentResponseRate() * l.treatmentMembers())));
        List<CampaignResults.CellLift> cells =
                r.bySegmentCell().stream().filter(x -> x.channel() == null).toList();
        chart.put("cells", cells.stream().map(x -> cellLabel(x, locale)).toList());
        chart.put(
                "cellLift",
                cells.stream().map(x -> yuan(x.lift().liftPerMemberFen())).toList());
        chart.put(
                "cellTreatmentRate",
                cells.stream()
                        .map(x -> percent(x.lift().treatmentResponseRate()))
                        .toList());
        chart.put(
                "cellControlRate",
                cells.stream().map(x -> percent(x.lift().controlResponseRate())).toList());
        chart.put("liftLabel", messages.getMessage("campaign.results.lift", null, locale));
        chart.put("recipientsRateLabel", messages.getMessage("campaigns.results.recipientsRate", null, locale));
        chart.put("controlRateLabel", messages.getMessage("campaigns.results.controlRate", null, locale));
        model.addAttribute(
                "cellLabels",
                r.bySegmentCell().stream().map(x -> cellLabel(x, locale)).toList());
        model.addAttribute("chart", json.writeValueAsString(chart));
        return "campaigns/results";
    }

    private String cellLabel(CampaignResults.CellLift x, java.util.Locale locale) {
        if (x.rBand() == null || x.fBand() == null) {
            return messages.getMessage("campaigns.results.unscored", null, locale);
        }
        return messages.getMessage("rfm.r." + x.rBand(), null, x.rBand(), locale) + " · "
                + messages.getMessage("rfm.f." + x.fBand(), null, x.fBand(), locale);
    }

    private static double yuan(double fen) {
        return Math.round(fen) / 100.0;
    }

    private static double percent(double rate) {
        return Math.round(rate * 1000) / 10.0;
    }

    private static void requirePlanner() {
        CurrentStaff.requireAnyRole(Role.ADMIN, Role.MARKETER);
        CurrentStaff.requireAllStores();
    }
}
