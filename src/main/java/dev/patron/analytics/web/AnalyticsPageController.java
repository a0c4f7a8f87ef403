package dev.patron.analytics.web;

import dev.patron.analytics.Analytics;
import dev.patron.analytics.AnalyticsQuery;
import dev.patron.analytics.CohortRetention;
import dev.patron.analytics.CustomerStructure;
import dev.patron.analytics.NewVsReturning;
import dev.patron.analytics.PurchaseBehaviour;
import dev.patron.organization.OrganizationManagement;
import dev.patron.shared.web.ConsolePage;
import dev.patron.shared.web.ListLinks;
import dev.patron.shared.web.PageQuery;
import dev.patron.shared.web.PageResult;
import dev.patron.shared.web.PatronException;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;
import org.springframework.context.MessageSource;
import org.springframework.context.i18n.LocaleContextHolder;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.util.UriComponentsBuilder;
import tools.jackson.databind.json.JsonMapper;

/**
 * The analytics pages: the index with a card per dashboard (and links to the RFM grid and value
 * pyramid of the segments pages), and the four dashboards, each with the period/store filter
 * (inline errors), ECharts charts built here as option JSON, tables, and a CSV link per chart
 * ({@code format=csv&chart=…} on the same URL). Roles and store scope are {@link Analytics}'.
 */
@Controller
@RequestMapping("/analytics")
class AnalyticsPageController implements ConsolePage {

    static final Map<String, Comparator<PurchaseBehaviour.CounterReturn>> COUNTER_SORTS = new LinkedHashMap<>();

    static {
        COUNTER_SORTS.put("code", Comparator.comparing(PurchaseBehaviour.CounterReturn::code));
        COUNTER_SORTS.put("buyers", Comparator.comparingLong(PurchaseBehaviour.CounterReturn::buyers));
        COUNTER_SORTS.put("returners", Comparator.comparingLong(PurchaseBehaviour.CounterReturn::returners));
        COUNTER_SORTS.put(
                "rate",
                Comparator.comparing(
                        PurchaseBehaviour.CounterReturn::rate, Comparator.nullsFirst(Comparator.naturalOrder())));
    }

    private final Analytics analytics;
    private final OrganizationManagement organization;
    private final MessageSource messages;
    private final JsonMapper json;

    AnalyticsPageController(
            Analytics analytics, OrganizationManagement organization, MessageSource messages, JsonMapper json) {
        this.analytics = analytics;
        this.organization = organization;
        this.messages = messages;
        this.json = json;
    }

    /** A period shortcut of the filter. */
    record Preset(String key, String href, boolean active) {}

    /** A link to a chart's CSV. */
    record Csv(String chart, String href) {}

    @GetMapping
    String index(Model model) {
        analytics.requireReader();
        model.addAttribute("q", AnalyticsQuery.lastTwelveMonths(null));
        return "analytics/index";
    }

    @GetMapping("/structure")
    String structure(@RequestParam Map<String, String> params, Model model, HttpServletResponse response)
            throws IOException {
        Map<String, String> problems = new LinkedHashMap<>();
        CustomerStructure.Base base = guard(
                problems, "base", () -> AnalyticsRestController.base(params.get("base")), CustomerStructure.Base.ALL);
        int top = guard(problems, "top", () -> AnalyticsQuery.intParam("top", params.get("top"), 10, 1, 50), 10);
        AnalyticsQuery q = query(params, problems, response);
        CustomerStructure s = run(problems, response, q, x -> analytics.structure(x, base, top));
        if (csv(params, response, "structure", s.tables())) {
            return null;
        }
        Map<String, String> extra = new LinkedHashMap<>();
        extra.put("base", base.name());
        extra.put("top", String.valueOf(top));
        common(
                model,
                "/analytics/structure",
                s.from(),
                s.to(),
                s.storeCode(),
                extra,
                problems,
                s.tables().stream().map(t -> t.id()).toList());
        model.addAttribute("s", s);
        model.addAttribute("base", base.name());
        model.addAttribute("top", top);
        model.addAttribute("bases", List.of("ALL", "JOINED", "BUYERS"));
        Map<String, String> charts = new LinkedHashMap<>();
        charts.put("ageBands", bar(s.ageBands(), false, "#2563eb"));
        charts.put(
                "genders",
                pie(
                        s.genders().stream()
                                .map(x -> Map.<String, Object>of("name", x.label(), "value", x.members()))
                                .toList(),
                        false));
        charts.put("cities", bar(s.cities(), true, "#0d9488"));
        charts.put("joinChannels", bar(s.joinChannels(), true, "#7c3aed"));
        charts.put("tiers", bar(s.tiers(), false, "#c2410c"));
        model.addAttribute("charts", charts);
        return "analytics/structure";
    }

    @GetMapping("/customers")
    String customers(@RequestParam Map<String, String> params, Model model, HttpServletResponse response)
            throws IOException {
        Map<String, String> problems = new LinkedHashMap<>();
        AnalyticsQuery q = query(params, problems, response);
        NewVsReturning n = run(problems, response, q, analytics::newVsReturning);
        if (csv(params, response, "customers", n.tables())) {
            return null;
        }
        common(model, "/analytics/customers", n.from(), n.to(), n.storeCode(), Map.of(), problems, List.of("months"));
        model.addAttribute("n", n);
        List<String> months = n.months().stream().map(m -> m.month().toString()).toList();
        Map<String, String> charts = new LinkedHashMap<>();
        charts.put(
                "members",
                stacked(
                        months,
                        msg("analytics.customers.new"),
                        n.months().stream().map(m -> (Object) m.newMembers()).toList(),
                        msg("analytics.customers.returning"),
                        n.months().stream()
                                .map(m -> (Object) m.returningMembers())
                                .toList()));
        charts.put(
                "sales",
                stacked(
                        months,
                        msg("analytics.customers.newSales"),
                        n.months().stream()
                                .map(m -> (Object) yuan(m.newSalesFen()))
                                .toList(),
                        msg("analytics.customers.returningSales"),
                        n.months().stream()
                                .map(m -> (Object) yuan(m.returningSalesFen()))
                                .toList()));
        model.addAttribute("charts", charts);
        return "analytics/customers";
    }

    @GetMapping("/behaviour")
    String behaviour(@RequestParam Map<String, String> params, Model model, HttpServletResponse response)
            throws IOException {
        Map<String, String> problems = new LinkedHashMap<>();
        int window = guard(
                problems,
                "windowDays",
                () -> AnalyticsQuery.intParam("windowDays", params.get("windowDays"), 30, 1, 365),
                30);
        AnalyticsQuery q = query(params, problems, response);
        PurchaseBehaviour b = run(problems, response, q, x -> analytics.behaviour(x, window));
        if (csv(params, response, "behaviour", b.tables())) {
            return null;
        }
        Map<String, String> extra = new LinkedHashMap<>();
        extra.put("windowDays", String.valueOf(window));
        common(
                model,
                "/analytics/behaviour",
                b.from(),
                b.to(),
                b.storeCode(),
                extra,
                problems,
                b.tables().stream().map(t -> t.id()).toList());
        model.addAttribute("b", b);
        model.addAttribute("windowDays", window);
        Map<String, String> charts = new LinkedHashMap<>();
        charts.put("intervals", histogram(b.intervalBins(), msg("analytics.behaviour.intervals.axis"), "#0d9488"));
        charts.put("frequency", histogram(b.frequencyBins(), msg("analytics.behaviour.frequency.axis"), "#2563eb"));
        charts.put(
                "brands",
                pie(
                        b.brands().stream()
                                .map(x -> Map.<String, Object>of("name", x.label(), "value", yuan(x.salesFen())))
                                .toList(),
                        true));
        charts.put(
                "categories",
                pie(
                        b.categories().stream()
                                .map(x -> Map.<String, Object>of("name", x.label(), "value", yuan(x.salesFen())))
                                .toList(),
                        true));
        model.addAttribute("charts", charts);
        // the counters' table: sort and paging
        PageQuery pq =
                PageQuery.of(intOrNull(params.get("page")), intOrNull(params.get("size")), null, params.get("sort"));
        Comparator<PurchaseBehaviour.CounterReturn> cmp = COUNTER_SORTS.get(pq.sort() == null ? "buyers" : pq.sort());
        if (cmp == null) {
            throw PatronException.invalid("sort", "validation.sort", String.join(", ", COUNTER_SORTS.keySet()));
        }
        boolean desc = pq.sort() == null || pq.desc();
        List<PurchaseBehaviour.CounterReturn> rows = new ArrayList<>(b.counters());
        rows.sort(desc ? cmp.reversed() : cmp);
        model.addAttribute(
                "counters",
                new PageResult<>(
                        rows.stream().skip(pq.offset()).limit(pq.size()).toList(), pq.page(), pq.size(), rows.size()));
        ListLinks links = ListLinks.of("/analytics/behaviour", pq, "buyers")
                .filter("from", b.from().toString())
                .filter("to", b.to().toString())
                .filter("storeCode", b.storeCode())
                .filter("windowDays", String.valueOf(window));
        model.addAttribute("links", links);
        return "analytics/behaviour";
    }

    @GetMapping("/cohorts")
    String cohorts(@RequestParam Map<String, String> params, Model model, HttpServletResponse response)
            throws IOException {
        Map<String, String> problems = new LinkedHashMap<>();
        AnalyticsQuery q = query(params, problems, response);
        CohortRetention c = run(problems, response, q, analytics::cohorts);
        if (csv(params, response, "cohorts", c.tables())) {
            return null;
        }
        common(
                model,
                "/analytics/cohorts",
                c.from(),
                c.to(),
                c.storeCode(),
                Map.of(),
                problems,
                List.of("retention", "buyers"));
        model.addAttribute("c", c);
        model.addAttribute(
                "offsets",
                java.util.stream.IntStream.range(0, CohortRetention.MONTHS)
                        .boxed()
                        .toList());
        model.addAttribute("charts", Map.of("heatmap", heatmap(c)));
        return "analytics/cohorts";
    }

    // ---------------------------------------------------------------- filter and CSV

    private AnalyticsQuery query(
            Map<String, String> params, Map<String, String> problems, HttpServletResponse response) {
        try {
            return AnalyticsQuery.parse(params.get("from"), params.get("to"), params.get("storeCode"));
        } catch (PatronException e) {
            if (csvWanted(params)) {
                throw e;
            }
            response.setStatus(e.status().value());
            e.fieldErrors().forEach(fe -> problems.put(fe.field(), msg(fe.messageKey(), fe.args())));
            return AnalyticsQuery.lastTwelveMonths(null);
        }
    }

    /** Runs a dashboard; an unknown store is shown next to the store picker and the scope's figures instead. */
    private <T> T run(
            Map<String, String> problems,
            HttpServletResponse response,
            AnalyticsQuery q,
            Function<AnalyticsQuery, T> f) {
        if (!problems.isEmpty() && response.getStatus() == 200) {
            response.setStatus(400);
        }
        try {
            return f.apply(q);
        } catch (PatronException e) {
            if (e.fieldErrors().isEmpty()
                    || !"storeCode".equals(e.fieldErrors().get(0).field())) {
                throw e;
            }
            response.setStatus(e.status().value());
            problems.put("storeCode", msg(e.messageKey(), e.args()));
            return f.apply(new AnalyticsQuery(q.from(), q.to(), null));
        }
    }

    private <T> T guard(Map<String, String> problems, String field, Supplier<T> parse, T dflt) {
        try {
            return parse.get();
        } catch (PatronException e) {
            problems.put(field, msg(e.messageKey(), e.args()));
            return dflt;
        }
    }

    private static boolean csvWanted(Map<String, String> params) {
        return AnalyticsRestController.csv(params.get("format"));
    }

    private boolean csv(
            Map<String, String> params,
            HttpServletResponse response,
            String dashboard,
            List<dev.patron.analytics.DataTable> tables)
            throws IOException {
        if (!csvWanted(params)) {
            return false;
        }
        AnalyticsCsv.write(response, dashboard, AnalyticsCsv.pick(tables, params.get("chart")));
        return true;
    }

    private void common(
            Model model,
            String path,
            LocalDate from,
            LocalDate to,
            String storeCode,
            Map<String, String> extra,
            Map<String, String> problems,
            List<String> charts) {
        model.addAttribute("from", from);
        model.addAttribute("to", to);
        model.addAttribute("storeCode", storeCode);
        model.addAttribute("stores", organization.allStores());
        model.addAttribute("problems", problems.isEmpty() ? null : problems);
        model.addAttribute("action", path);
        LocalDate today = AnalyticsQuery.today();
        List<Preset> presets = new ArrayList<>();
        preset(presets, path, "last12", today.withDayOfMonth(1).minusMonths(11), today, from, to, storeCode, extra);
        preset(presets, path, "last6", today.withDayOfMonth(1).minusMonths(5), today, from, to, storeCode, extra);
        preset(presets, path, "thisYear", today.withDayOfYear(1), today, from, to, storeCode, extra);
        LocalDate lastYear = today.withDayOfYear(1).minusYears(1);
        preset(presets, path, "lastYear", lastYear, lastYear.plusYears(1).minusDays(1), from, to, storeCode, extra);
        model.addAttribute("presets", presets);
        Map<String, String> csv = new LinkedHashMap<>();
        for (String chart : charts) {
            UriComponentsBuilder b = link(path, from, to, storeCode, extra);
            csv.put(
                    chart,
                    b.queryParam("format", "csv")
                            .queryParam("chart", chart)
                            .build()
                            .encode()
                            .toUriString());
        }
        model.addAttribute("csv", csv);
    }

    private static void preset(
            List<Preset> out,
            String path,
            String key,
            LocalDate f,
            LocalDate t,
            LocalDate from,
            LocalDate to,
            String storeCode,
            Map<String, String> extra) {
        out.add(new Preset(
                key,
                link(path, f, t, storeCode, extra).build().encode().toUriString(),
                f.equals(from) && t.equals(to)));
    }

    private static UriComponentsBuilder link(
            String path, LocalDate from, LocalDate to, String storeCode, Map<String, String> extra) {
        UriComponentsBuilder b = UriComponentsBuilder.fromPath(path)
                .queryParam("from", from.toString())
                .queryParam("to", to.toString());
        if (storeCode != null) {
            b.queryParam("storeCode", storeCode);
        }
        extra.forEach(b::queryParam);
        return b;
    }

    private static Integer intOrNull(String v) {
        try {
            return v == null || v.isBlank() ? null : Integer.valueOf(v.strip());
        } catch (NumberFormatException e) {
            throw PatronException.invalid("page", "validation.page");
        }
    }

    // ---------------------------------------------------------------- ECharts options

    private String bar(List<CustomerStructure.Slice> slices, boolean horizontal, String color) {
        Map<String, Object> category = new LinkedHashMap<>();
        category.put("type", "category");
        category.put("data", slices.stream().map(CustomerStructure.Slice::label).toList());
        if (horizontal) {
            category.put("inverse", true);
        }
        Map<String, Object> value = Map.of("type", "value", "minInterval", 1);
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("color", List.of(color));
        o.put("tooltip", Map.of("trigger", "axis"));
        o.put("grid", Map.of("left", 8, "right", 16, "top", 16, "bottom", 8, "containLabel", true));
        o.put("xAxis", horizontal ? value : category);
        o.put("yAxis", horizontal ? category : value);
        o.put(
                "series",
                List.of(Map.of(
                        "name",
                        msg("analytics.members"),
                        "type",
                        "bar",
                        "barMaxWidth",
                        28,
                        "data",
                        slices.stream().map(CustomerStructure.Slice::members).toList(),
                        "label",
                        Map.of("show", true, "position", horizontal ? "right" : "top"))));
        return json.writeValueAsString(o);
    }

    private String pie(List<Map<String, Object>> data, boolean money) {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("tooltip", Map.of("trigger", "item", "formatter", money ? "{b}: ¥{c} ({d}%)" : "{b}: {c} ({d}%)"));
        o.put("legend", Map.of("type", "scroll", "orient", "vertical", "right", 0, "top", "middle"));
        o.put(
                "series",
                List.of(Map.of(
                        "type",
                        "pie",
                        "radius",
                        List.of("40%", "70%"),
                        "center",
                        List.of("35%", "50%"),
                        "data",
                        data,
                        "label",
                        Map.of("formatter", "{d}%"))));
        return json.writeValueAsString(o);
    }

    private String histogram(List<PurchaseBehaviour.Bin> bins, String axis, String color) {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("color", List.of(color));
        o.put("tooltip", Map.of("trigger", "axis"));
        o.put("grid", Map.of("left", 8, "right", 16, "top", 24, "bottom", 24, "containLabel", true));
        o.put(
                "xAxis",
                Map.of(
                        "type",
                        "category",
                        "name",
                        axis,
                        "nameLocation",
                        "middle",
                        "nameGap",
                        28,
                        "axisLabel",
                        Map.of("interval", 0),
                        "data",
                        bins.stream().map(PurchaseBehaviour.Bin::key).toList()));
        o.put("yAxis", Map.of("type", "value", "minInterval", 1));
        o.put(
                "series",
                List.of(Map.of(
                        "type",
                        "bar",
                        "barMaxWidth",
                        36,
                        "data",
                        bins.stream().map(PurchaseBehaviour.Bin::count).toList(),
                        "label",
                        Map.of("show", true, "position", "top"))));
        return json.writeValueAsString(o);
    }

    private String stacked(List<String> months, String aName, List<Object> a, String bName, List<Object> b) {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("color", List.of("#16a34a", "#2563eb"));
        o.put("tooltip", Map.of("trigger", "axis"));
        o.put("legend", Map.of("top", 0));
        o.put("grid", Map.of("left", 8, "right", 16, "top", 36, "bottom", 8, "containLabel", true));
        o.put("xAxis", Map.of("type", "category", "data", months));
        o.put("yAxis", Map.of("type", "value"));
        o.put(
                "series",
                List.of(
                        Map.of("name", aName, "type", "bar", "stack", "all", "barMaxWidth", 36, "data", a),
                        Map.of("name", bName, "type", "bar", "stack", "all", "barMaxWidth", 36, "data", b)));
        return json.writeValueAsString(o);
    }

    private String heatmap(CohortRetention c) {
        List<String> x = new ArrayList<>();
        for (int k = 0; k < CohortRetention.MONTHS; k++) {
            x.add("M+" + k);
        }
        List<String> y = c.cohorts().stream().map(k -> k.month().toString()).toList();
        List<List<Object>> data = new ArrayList<>();
        for (int i = 0; i < c.cohorts().size(); i++) {
            CohortRetention.Cohort k = c.cohorts().get(i);
            for (int m = 0; m < CohortRetention.MONTHS; m++) {
                BigDecimal r = k.retention().get(m);
                if (r != null) {
                    data.add(List.of(m, i, r.movePointRight(2).setScale(1, java.math.RoundingMode.HALF_UP)));
                }
            }
        }
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("tooltip", Map.of("position", "top"));
        o.put("grid", Map.of("left", 8, "right", 16, "top", 8, "bottom", 56, "containLabel", true));
        o.put("xAxis", Map.of("type", "category", "data", x, "splitArea", Map.of("show", true)));
        o.put("yAxis", Map.of("type", "category", "data", y, "inverse", true, "splitArea", Map.of("show", true)));
        o.put(
                "visualMap",
                Map.of(
                        "min",
                        0,
                        "max",
                        100,
                        "calculable",
                        true,
                        "orient",
                        "horizontal",
                        "left",
                        "center",
                        "bottom",
                        0,
                        "inRange",
                        Map.of("color", List.of("#eff6ff", "#2563eb", "#1e3a8a"))));
        o.put(
                "series",
                List.of(Map.of(
                        "name",
                        msg("analytics.cohorts.retention"),
                        "type",
                        "heatmap",
                        "data",
                        data,
                        "label",
                        Map.of("show", true, "percent", true))));
        return json.writeValueAsString(o);
    }

    private static BigDecimal yuan(long fen) {
        return BigDecimal.valueOf(fen, 2);
    }

    private String msg(String key, Object... args) {
        return messages.getMessage(key, args, key, LocaleContextHolder.getLocale());
    }
}
