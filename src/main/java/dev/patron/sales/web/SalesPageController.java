package dev.patron.sales.web;

import dev.patron.organization.OrganizationManagement;
import dev.patron.sales.SalesKpiGroup;
import dev.patron.sales.SalesKpiQuery;
import dev.patron.sales.SalesKpiReport;
import dev.patron.sales.SalesKpiRow;
import dev.patron.sales.SalesKpiTickets;
import dev.patron.sales.SalesKpis;
import dev.patron.shared.web.ConsolePage;
import dev.patron.shared.web.ListLinks;
import dev.patron.shared.web.PageQuery;
import dev.patron.shared.web.PageResult;
import dev.patron.shared.web.PatronException;
import jakarta.servlet.http.HttpServletResponse;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import org.springframework.context.MessageSource;
import org.springframework.context.i18n.LocaleContextHolder;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import tools.jackson.databind.json.JsonMapper;

/**
 * The sales pages of the console: the KPI dashboard (period picker, KPI cards, daily trend of net
 * sales and tickets, a table by store, counter, brand or time bucket with sort and paging) and the
 * ticket page (lines, payments, returns). Roles and store scope are {@link SalesKpis}' and
 * {@link dev.patron.sales.SalesManagement}'s; the pages show what they return.
 */
@Controller
@RequestMapping("/sales")
class SalesPageController implements ConsolePage {

    /** Sort keys of the table and what they compare. */
    static final Map<String, Comparator<SalesKpiRow>> SORTS = new LinkedHashMap<>();

    static {
        SORTS.put("key", Comparator.comparing(SalesKpiRow::key));
        SORTS.put("net", by(r -> BigDecimal.valueOf(r.figures().netSalesFen())));
        SORTS.put("tickets", by(r -> BigDecimal.valueOf(r.figures().tickets())));
        SORTS.put(
                "avg",
                by(r -> r.figures().averageTicketFen() == null
                        ? null
                        : BigDecimal.valueOf(r.figures().averageTicketFen())));
        SORTS.put("ipt", by(r -> r.figures().itemsPerTicket()));
        SORTS.put("member", by(r -> r.figures().memberShare()));
        SORTS.put("newMember", by(r -> BigDecimal.valueOf(r.figures().newMemberSalesFen())));
        SORTS.put("returns", by(r -> r.figures().returnRate()));
        SORTS.put("conversion", by(r -> r.figures().conversion()));
    }

    private static Comparator<SalesKpiRow> by(Function<SalesKpiRow, BigDecimal> f) {
        return Comparator.comparing(f, Comparator.nullsFirst(Comparator.naturalOrder()));
    }

    private final SalesKpis kpis;
    private final SalesKpiTickets tickets;
    private final OrganizationManagement organization;
    private final MessageSource messages;
    private final JsonMapper json;
    private final SalesPageFormat format;

    SalesPageController(
            SalesKpis kpis,
            SalesKpiTickets tickets,
            OrganizationManagement organization,
            MessageSource messages,
            JsonMapper json,
            SalesPageFormat format) {
        this.format = format;
        this.kpis = kpis;
        this.tickets = tickets;
        this.organization = organization;
        this.messages = messages;
        this.json = json;
    }

    /** A period shortcut of the picker. */
    record Preset(String key, LocalDate from, LocalDate to, boolean active, String href) {}

    /** A grouping tab. */
    record GroupTab(SalesKpiGroup group, String href, boolean active) {}

    @GetMapping
    String dashboard(
            @RequestParam(required = false) String from,
            @RequestParam(required = false) String to,
            @RequestParam(required = false) String storeCode,
            @RequestParam(required = false) String groupBy,
            @RequestParam(required = false) Integer page,
            @RequestParam(required = false) Integer size,
            @RequestParam(required = false) String sort,
            Model model,
            HttpServletResponse response) {
        SalesKpiQuery q;
        try {
            q = SalesKpiQuery.parse(from, to, groupBy, storeCode);
        } catch (PatronException e) {
            // show the problem next to the picker, and the default period
            response.setStatus(e.status().value());
            Map<String, String> problems = new LinkedHashMap<>();
            e.fieldErrors().forEach(fe -> problems.put(fe.field(), msg(fe.messageKey(), fe.args())));
            model.addAttribute("problems", problems);
            q = SalesKpiQuery.parse(null, null, null, null);
        }
        SalesKpiReport report;
        try {
            report = kpis.report(q);
        } catch (PatronException e) {
            if (!"storeCode"
                    .equals(
                            e.fieldErrors().isEmpty()
                                    ? null
                                    : e.fieldErrors().get(0).field())) {
                throw e;
            }
            response.setStatus(e.status().value());
            model.addAttribute("problems", Map.of("storeCode", msg(e.messageKey(), e.args())));
            q = new SalesKpiQuery(q.from(), q.to(), q.groupBy(), null);
            report = kpis.report(q);
        }
        PageQuery pq = PageQuery.of(page, size, null, sort);
        String defaultSort = q.groupBy().bucket() ? "key" : "net";
        Comparator<SalesKpiRow> cmp = SORTS.get(pq.sort() == null ? defaultSort : pq.sort());
        if (cmp == null) {
            throw PatronException.invalid("sort", "validation.sort", String.join(", ", SORTS.keySet()));
        }
        boolean desc = pq.sort() == null ? !q.groupBy().bucket() : pq.desc();
        List<SalesKpiRow> sorted = new ArrayList<>(report.rows());
        sorted.sort(desc ? cmp.reversed() : cmp);
        List<SalesKpiRow> pageRows =
                sorted.stream().skip(pq.offset()).limit(pq.size()).toList();
        PageResult<SalesKpiRow> rows = new PageResult<>(pageRows, pq.page(), pq.size(), sorted.size());
        ListLinks links = ListLinks.of("/sales", pq, defaultSort)
                .filter("from", q.from().toString())
                .filter("to", q.to().toString())
                .filter("storeCode", q.storeCode())
                .filter("groupBy", q.groupBy().name().toLowerCase(Locale.ROOT));
        model.addAttribute("q", q);
        model.addAttribute("report", report);
        model.addAttribute("rows", rows);
        model.addAttribute("links", links);
        List<GroupTab> tabs = new ArrayList<>();
        for (SalesKpiGroup g : SalesKpiGroup.values()) {
            tabs.add(new GroupTab(g, link(q.from(), q.to(), q.storeCode(), g), g == q.groupBy()));
        }
        model.addAttribute("tabs", tabs);
        model.addAttribute("stores", organization.allStores());
        model.addAttribute("presets", presets(q));
        model.addAttribute("trend", trend(kpis.daily(q)));
        model.addAttribute("fmt", format);
        return "sales/dashboard";
    }

    /** Link to the dashboard for a period, store and grouping. */
    static String link(LocalDate from, LocalDate to, String storeCode, SalesKpiGroup g) {
        return ListLinks.of("/sales", PageQuery.of(null, null, null, null), "net")
                .filter("from", from.toString())
                .filter("to", to.toString())
                .filter("storeCode", storeCode)
                .filter("groupBy", g.name().toLowerCase(Locale.ROOT))
                .page(0);
    }

    @GetMapping("/tickets/{id:\\d+}")
    String ticket(@PathVariable long id, Model model) {
        model.addAttribute("d", tickets.detail(id));
        model.addAttribute("fmt", format);
        return "sales/ticket";
    }

    private static List<Preset> presets(SalesKpiQuery q) {
        LocalDate today = SalesKpiQuery.today();
        List<Preset> out = new ArrayList<>();
        add(out, q, "7d", today.minusDays(6), today);
        add(out, q, "30d", today.minusDays(29), today);
        add(out, q, "thisMonth", today.withDayOfMonth(1), today);
        LocalDate lastMonth = today.withDayOfMonth(1).minusMonths(1);
        add(out, q, "lastMonth", lastMonth, lastMonth.plusMonths(1).minusDays(1));
        add(out, q, "thisYear", today.withDayOfYear(1), today);
        return out;
    }

    private static void add(List<Preset> out, SalesKpiQuery q, String key, LocalDate from, LocalDate to) {
        out.add(new Preset(
                key, from, to, q.from().equals(from) && q.to().equals(to), link(from, to, q.storeCode(), q.groupBy())));
    }

    private String trend(List<SalesKpiRow> days) {
        Map<String, Object> chart = new LinkedHashMap<>();
        chart.put("dates", days.stream().map(d -> d.date().toString()).toList());
        chart.put(
                "net",
                days.stream()
                        .map(d -> BigDecimal.valueOf(d.figures().netSalesFen(), 2))
                        .toList());
        chart.put("tickets", days.stream().map(d -> d.figures().tickets()).toList());
        chart.put("netLabel", msg("sales.kpi.netSales"));
        chart.put("ticketsLabel", msg("sales.kpi.tickets"));
        return json.writeValueAsString(chart);
    }

    private String msg(String key, Object... args) {
        return messages.getMessage(key, args, key, LocaleContextHolder.getLocale());
    }
}
