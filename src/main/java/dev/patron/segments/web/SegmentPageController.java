package dev.patron.segments.web;

import dev.patron.segments.Segment;
import dev.patron.segments.SegmentCommand;
import dev.patron.segments.SegmentDefinition;
import dev.patron.segments.SegmentField;
import dev.patron.segments.SegmentPreview;
import dev.patron.segments.SegmentSizeDay;
import dev.patron.segments.Segments;
import dev.patron.segments.StaticListUpload;
import dev.patron.segments.StaticLists;
import dev.patron.shared.web.ConsolePage;
import dev.patron.shared.web.Forms;
import dev.patron.shared.web.ListLinks;
import dev.patron.shared.web.PageQuery;
import dev.patron.shared.web.PageResult;
import dev.patron.shared.web.PatronException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.springframework.context.MessageSource;
import org.springframework.context.i18n.LocaleContextHolder;
import org.springframework.http.HttpStatus;
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
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

/**
 * The segments pages: the list (search, sort, paging, size sparkline), the builder (condition rows
 * and groups without code, live preview count and sample over HTMX), the detail (size history
 * chart, warnings, members with masked phones, snapshots) and the static list upload. Roles and
 * scope are {@link Segments}': MARKETER / ANALYST / ADMIN with all stores read, MARKETER / ADMIN
 * change.
 */
@Controller
@RequestMapping("/segments")
class SegmentPageController implements ConsolePage {

    private static final int SPARK_DAYS = 30;

    private final Segments segments;
    private final StaticLists lists;
    private final JsonMapper json;
    private final MessageSource messages;

    SegmentPageController(Segments segments, StaticLists lists, JsonMapper json, MessageSource messages) {
        this.segments = segments;
        this.lists = lists;
        this.json = json;
        this.messages = messages;
    }

    /** Whether the page offers changes (the module API checks again). */
    @ModelAttribute("mayChange")
    boolean mayChange() {
        var me = dev.patron.shared.security.CurrentStaff.get();
        return me.scope().allStores()
                && me.hasAnyRole(dev.patron.shared.security.Role.MARKETER, dev.patron.shared.security.Role.ADMIN);
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
        PageResult<Segment> result = segments.list(query);
        Map<Long, List<Integer>> sizes =
                segments.recentSizes(result.items().stream().map(Segment::id).toList(), SPARK_DAYS);
        Map<Long, String> sparks = new LinkedHashMap<>();
        sizes.forEach((id, values) -> sparks.put(id, sparkline(values)));
        model.addAttribute("result", result);
        model.addAttribute("sparks", sparks);
        model.addAttribute("links", ListLinks.of("/segments", query, "name"));
        return Forms.wantsFragment(request) ? "segments/list :: results" : "segments/list";
    }

    /** SVG polyline points of a 100×24 sparkline. */
    static String sparkline(List<Integer> values) {
        if (values.isEmpty()) {
            return "";
        }
        int max = values.stream().mapToInt(Integer::intValue).max().orElse(0);
        int min = values.stream().mapToInt(Integer::intValue).min().orElse(0);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < values.size(); i++) {
            double x = values.size() == 1 ? 100 : i * 100.0 / (values.size() - 1);
            double y = max == min ? 12 : 22 - (values.get(i) - min) * 20.0 / (max - min);
            sb.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
        }
        return sb.toString().trim();
    }

    // ------------------------------------------------------------------ builder

    @GetMapping("/new")
    String newForm(Model model) {
        requireWriter();
        SegmentForm form = new SegmentForm();
        form.setDefinition(json.writeValueAsString(new SegmentDefinition(
                SegmentDefinition.VERSION,
                new SegmentDefinition.Node("AND", List.of(), null, null, null, null, null, null, null, null))));
        model.addAttribute("form", form);
        return builder(model, List.of());
    }

    @GetMapping("/{id}/edit")
    String editForm(@PathVariable long id, Model model) {
        requireWriter();
        Segment s = segments.segment(id);
        if (!"RULE".equals(s.kind())) {
            throw PatronException.invalid("definition", "segment.validation.staticDefinition");
        }
        SegmentForm form = new SegmentForm();
        form.setName(s.name());
        form.setDescription(s.description());
        form.setDefinition(json.writeValueAsString(s.definition()));
        model.addAttribute("form", form);
        model.addAttribute("editing", s);
        return builder(model, List.of());
    }

    @PostMapping
    String create(
            @ModelAttribute("form") SegmentForm form,
            BindingResult result,
            Model model,
            HttpServletResponse response,
            RedirectAttributes redirect) {
        requireWriter();
        try {
            Segment s = segments.create(
                    new SegmentCommand(form.getName(), form.getDescription(), parse(form.getDefinition())));
            redirect.addFlashAttribute("flash", "segment.saved");
            redirect.addFlashAttribute("flashArg", s.name());
            return "redirect:/segments/" + s.id();
        } catch (PatronException e) {
            return rejected(e, result, model, response);
        }
    }

    @PostMapping("/{id}")
    String update(
            @PathVariable long id,
            @ModelAttribute("form") SegmentForm form,
            BindingResult result,
            Model model,
            HttpServletResponse response,
            RedirectAttributes redirect) {
        requireWriter();
        model.addAttribute("editing", segments.segment(id));
        try {
            Segment s = segments.update(
                    id, new SegmentCommand(form.getName(), form.getDescription(), parse(form.getDefinition())));
            redirect.addFlashAttribute("flash", "segment.saved");
            redirect.addFlashAttribute("flashArg", s.name());
            return "redirect:/segments/" + s.id();
        } catch (PatronException e) {
            return rejected(e, result, model, response);
        }
    }

    private String rejected(PatronException e, BindingResult result, Model model, HttpServletResponse response) {
        List<Map<String, String>> conditionErrors = new ArrayList<>();
        for (PatronException.FieldError fe : e.fieldErrors()) {
            if (fe.field().startsWith("definition")) {
                conditionErrors.add(Map.of(
                        "path", fe.field(),
                        "message",
                                messages.getMessage(
                                        fe.messageKey(), fe.args(), fe.messageKey(), LocaleContextHolder.getLocale())));
            }
        }
        Forms.reject(result, e, response);
        return builder(model, conditionErrors);
    }

    private SegmentDefinition parse(String definition) {
        if (definition == null || definition.isBlank()) {
            return null;
        }
        try {
            return json.readValue(definition, SegmentDefinition.class);
        } catch (JacksonException e) {
            throw PatronException.invalid("definition", "segment.validation.json");
        }
    }

    private String builder(Model model, List<Map<String, String>> conditionErrors) {
        Locale locale = LocaleContextHolder.getLocale();
        List<Map<String, Object>> fields = new ArrayList<>();
        for (SegmentField f : SegmentField.values()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", f.name());
            m.put("group", f.group().name());
            m.put("type", f.type().name());
            m.put("operators", f.operators());
            m.put("options", f.options());
            fields.add(m);
        }
        Map<String, String> labels = labels(locale);
        model.addAttribute("builderFields", json.writeValueAsString(fields));
        model.addAttribute("builderLabels", json.writeValueAsString(labels));
        model.addAttribute("builderOptions", json.writeValueAsString(segments.builderOptions()));
        model.addAttribute("conditionErrors", conditionErrors);
        model.addAttribute("conditionErrorsJson", json.writeValueAsString(conditionErrors));
        return "segments/builder";
    }

    /** The builder's texts in the caller's language: fields, field groups, operators, options, widgets. */
    private Map<String, String> labels(Locale locale) {
        Map<String, String> labels = new LinkedHashMap<>();
        for (SegmentField f : SegmentField.values()) {
            labels.put("field." + f.name(), msg("segment.field." + f.name(), locale));
            for (String o : f.options()) {
                labels.put("option." + f.name() + "." + o, optionLabel(f, o, locale));
            }
        }
        for (SegmentField.Group g : SegmentField.Group.values()) {
            labels.put("group." + g.name(), msg("segment.fieldGroup." + g.name(), locale));
        }
        for (String op : List.of(
                "eq",
                "ne",
                "in",
                "notIn",
                "gt",
                "gte",
                "lt",
                "lte",
                "between",
                "before",
                "after",
                "hasAny",
                "hasAll",
                "hasNone",
                "inLastDays",
                "nextDays")) {
            labels.put("op." + op, msg("segment.op." + op, locale));
        }
        for (String k : List.of(
                "and",
                "or",
                "addCondition",
                "addGroup",
                "remove",
                "days",
                "brand",
                "category",
                "store",
                "minAmount",
                "yuan",
                "values",
                "from",
                "to",
                "condition",
                "emptyGroup",
                "choose",
                "decimalRange")) {
            labels.put("ui." + k, msg("segment.builder." + k, locale));
        }
        labels.put("summary.and", msg("segment.summary.and", locale));
        labels.put("summary.or", msg("segment.summary.or", locale));
        return labels;
    }

    /** One line of the readable definition on the detail page: depth, condition number (0 for a group) and text. */
    record Line(int depth, int number, String text) {}

    /** The definition as indented readable lines, numbered like the builder's rows. */
    List<Line> describe(SegmentDefinition d, Map<String, String> labels, Map<String, String> lists) {
        List<Line> out = new ArrayList<>();
        if (d != null && d.root() != null) {
            describe(d.root(), 0, labels, lists, out, new int[] {0});
        }
        return out;
    }

    private void describe(
            SegmentDefinition.Node n,
            int depth,
            Map<String, String> L,
            Map<String, String> lists,
            List<Line> out,
            int[] no) {
        if (n.groupNode()) {
            out.add(new Line(depth, 0, "AND".equals(n.group()) ? L.get("ui.and") : L.get("ui.or")));
            if (n.items() != null) {
                n.items().forEach(i -> describe(i, depth + 1, L, lists, out, no));
            }
            return;
        }
        no[0]++;
        SegmentField f = SegmentField.of(n.field());
        if (f == null) {
            out.add(new Line(depth, no[0], String.valueOf(n.field())));
            return;
        }
        StringBuilder sb = new StringBuilder(L.get("field." + f.name()));
        switch (f.type()) {
            case BOUGHT, NOT_BOUGHT -> {
                sb.append(": ").append(n.days()).append(' ').append(L.get("ui.days"));
                if (n.brand() != null) {
                    sb.append(", ").append(L.get("ui.brand")).append(' ').append(n.brand());
                }
                if (n.category() != null) {
                    sb.append(", ").append(L.get("ui.category")).append(' ').append(n.category());
                }
                if (n.store() != null) {
                    sb.append(", ").append(L.get("ui.store")).append(' ').append(n.store());
                }
                if (n.minAmountFen() != null) {
                    sb.append(", ").append(L.get("ui.minAmount")).append(yuan(n.minAmountFen()));
                }
            }
            default -> {
                sb.append(' ')
                        .append(L.getOrDefault("op." + n.operator(), String.valueOf(n.operator())))
                        .append(' ');
                List<String> values = new ArrayList<>();
                if (n.value() != null && n.value().isArray()) {
                    n.value().values().forEach(v -> values.add(valueText(f, v, L, lists)));
                } else if (n.value() != null) {
                    values.add(valueText(f, n.value(), L, lists));
                }
                sb.append(String.join("between".equals(n.operator()) ? " – " : ", ", values));
                if (f.type() == SegmentField.Type.BIRTHDAY || "inLastDays".equals(n.operator())) {
                    sb.append(' ').append(L.get("ui.days"));
                }
            }
        }
        out.add(new Line(depth, no[0], sb.toString()));
    }

    private static String valueText(
            SegmentField f, tools.jackson.databind.JsonNode v, Map<String, String> L, Map<String, String> lists) {
        String raw = v.isString() ? v.stringValue() : v.toString();
        if (f.type() == SegmentField.Type.ENUM) {
            return L.getOrDefault("option." + f.name() + "." + raw, raw);
        }
        if (f.type() == SegmentField.Type.LIST) {
            return lists.getOrDefault(raw, "#" + raw);
        }
        if (f.name().endsWith("Fen") && v.isIntegralNumber()) {
            return yuan(v.longValue());
        }
        return raw;
    }

    /** ¥1,234.50 from fen, exact. */
    static String yuan(long fen) {
        return "¥"
                + new java.text.DecimalFormat("#,##0.00", java.text.DecimalFormatSymbols.getInstance(Locale.ROOT))
                        .format(java.math.BigDecimal.valueOf(fen, 2));
    }

    private String optionLabel(SegmentField f, String o, Locale locale) {
        return switch (f) {
            case gender -> msg("members.gender." + o, locale);
            case joinChannel -> msg("members.joinChannel." + o, locale);
            case rfmCell -> {
                String[] rf = o.split("_");
                yield msg("segment.option.rBand." + rf[0], locale) + " · "
                        + msg("segment.option.fBand." + rf[1], locale);
            }
            default -> msg("segment.option." + f.name() + "." + o, locale);
        };
    }

    private String msg(String key, Locale locale) {
        return messages.getMessage(key, null, key, locale);
    }

    /** HTMX: the preview card (count and sample) for the builder's current definition, or its problems. */
    @PostMapping("/preview")
    String preview(@RequestParam(required = false) String definition, Model model, HttpServletResponse response) {
        try {
            SegmentPreview p = segments.preview(parse(definition));
            model.addAttribute("preview", p);
        } catch (PatronException e) {
            if (e.fieldErrors().isEmpty()) {
                throw e;
            }
            List<String> problems = e.fieldErrors().stream()
                    .map(fe -> messages.getMessage(
                            fe.messageKey(), fe.args(), fe.messageKey(), LocaleContextHolder.getLocale()))
                    .distinct()
                    .toList();
            model.addAttribute("problems", problems);
        }
        return "segments/builder :: preview";
    }

    // ------------------------------------------------------------------ detail

    @GetMapping("/{id}")
    String detail(
            @PathVariable long id,
            @RequestParam(required = false) Integer page,
            @RequestParam(required = false) Integer size,
            @RequestParam(required = false) String q,
            @RequestParam(required = false) String sort,
            HttpServletRequest request,
            Model model) {
        PageQuery query = PageQuery.of(page, size, q, sort);
        Segment s = segments.segment(id);
        model.addAttribute("segment", s);
        model.addAttribute("result", segments.members(id, query));
        model.addAttribute("links", ListLinks.of("/segments/" + id, query, "memberId"));
        if (Forms.wantsFragment(request)) {
            return "segments/detail :: results";
        }
        List<SegmentSizeDay> history = segments.sizeHistory(id, 90);
        Map<String, Object> chart = new LinkedHashMap<>();
        chart.put("days", history.stream().map(d -> d.day().toString()).toList());
        chart.put("sizes", history.stream().map(SegmentSizeDay::size).toList());
        chart.put("label", msg("segment.size", LocaleContextHolder.getLocale()));
        model.addAttribute("chart", json.writeValueAsString(chart));
        model.addAttribute("snapshots", segments.snapshots(id));
        Map<String, String> lists = new LinkedHashMap<>();
        segments.builderOptions().getOrDefault("inList", List.of()).forEach(o -> {
            int i = o.indexOf(':');
            lists.put(o.substring(0, i), o.substring(i + 1));
        });
        model.addAttribute("lines", describe(s.definition(), labels(LocaleContextHolder.getLocale()), lists));
        return "segments/detail";
    }

    @PostMapping("/{id}/refresh")
    String refresh(@PathVariable long id, RedirectAttributes redirect) {
        Segment s = segments.refresh(id);
        redirect.addFlashAttribute("flash", "segment.refreshed");
        redirect.addFlashAttribute("flashArg", s.memberCount());
        return "redirect:/segments/" + id;
    }

    @PostMapping("/{id}/snapshots")
    String snapshot(@PathVariable long id, RedirectAttributes redirect) {
        var snap = segments.snapshot(id);
        redirect.addFlashAttribute("flash", "segment.snapshotTaken");
        redirect.addFlashAttribute("flashArg", snap.size());
        return "redirect:/segments/" + id;
    }

    @PostMapping("/{id}/delete")
    String delete(@PathVariable long id, RedirectAttributes redirect) {
        Segment s = segments.segment(id);
        segments.delete(id);
        redirect.addFlashAttribute("flash", "segment.deleted");
        redirect.addFlashAttribute("flashArg", s.name());
        return "redirect:/segments";
    }

    // ------------------------------------------------------------------ static lists

    @GetMapping("/static/new")
    String uploadForm(Model model) {
        requireWriter();
        model.addAttribute("form", new StaticListForm());
        return "segments/upload";
    }

    @PostMapping("/static")
    String upload(
            @ModelAttribute("form") StaticListForm form,
            BindingResult result,
            Model model,
            HttpServletResponse response)
            throws IOException {
        requireWriter();
        String content = form.getContent();
        if (form.getFile() != null && !form.getFile().isEmpty()) {
            content = new String(form.getFile().getBytes(), StandardCharsets.UTF_8);
        }
        try {
            StaticListUpload r = lists.upload(new StaticListUpload.Command(
                    form.getName(), form.getDescription(), form.getIdentifierKind(), content));
            model.addAttribute("report", r);
            response.setStatus(HttpStatus.CREATED.value());
            return "segments/upload-report";
        } catch (PatronException e) {
            Forms.reject(result, e, response);
            return "segments/upload";
        }
    }

    private static void requireWriter() {
        dev.patron.shared.security.CurrentStaff.requireAnyRole(
                dev.patron.shared.security.Role.MARKETER, dev.patron.shared.security.Role.ADMIN);
        dev.patron.shared.security.CurrentStaff.requireAllStores();
    }
}
