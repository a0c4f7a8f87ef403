package dev.patron.console;

import dev.patron.organization.OrganizationCounts;
import dev.patron.organization.OrganizationManagement;
import dev.patron.shared.security.Role;
import dev.patron.shared.web.ConsolePage;
import dev.patron.shared.web.ConsoleUser;
import dev.patron.staff.StaffManagement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.context.MessageSource;
import org.springframework.context.i18n.LocaleContextHolder;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import tools.jackson.databind.json.JsonMapper;

/**
 * The home dashboard: counts of the organisation as the user's store scope sees it, refreshed by
 * HTMX polling, and charts. Polling stops after {@link #MAX_POLLS} refreshes so that an idle
 * browser tab does not keep its session alive forever (the session timeout still applies).
 */
@Controller
class HomeController implements ConsolePage {

    static final int POLL_SECONDS = 30;
    static final int MAX_POLLS = 40; // 20 minutes
    static final int CHART_STORES = 15;

    private final OrganizationManagement organization;
    private final StaffManagement staff;
    private final MessageSource messages;
    private final JsonMapper json;

    HomeController(
            OrganizationManagement organization, StaffManagement staff, MessageSource messages, JsonMapper json) {
        this.organization = organization;
        this.staff = staff;
        this.messages = messages;
        this.json = json;
    }

    @GetMapping("/")
    String home(Model model) {
        addCounts(model, 0);
        List<String> stores = new ArrayList<>();
        List<Long> counters = new ArrayList<>();
        for (Map.Entry<String, Long> e : organization.countersPerStore(CHART_STORES)) {
            stores.add(e.getKey());
            counters.add(e.getValue());
        }
        model.addAttribute(
                "countersChart",
                stores.isEmpty() ? null : chart("bar", stores, counters, "home.chart.counters.series"));
        ConsoleUser me = ConsoleUser.current();
        if (me != null && me.headOfficeAdmin()) {
            List<String> roles = new ArrayList<>();
            List<Long> accounts = new ArrayList<>();
            for (Map.Entry<Role, Long> e : staff.countByRole().entrySet()) {
                roles.add(msg("role." + e.getKey().name()));
                accounts.add(e.getValue());
            }
            model.addAttribute("rolesChart", chart("pie", roles, accounts, "home.chart.roles.series"));
        }
        return "home";
    }

    /** The counts cards alone, for HTMX polling; {@code poll} counts the refreshes so far. */
    @GetMapping("/home/counts")
    String counts(@RequestParam(defaultValue = "0") int poll, Model model) {
        addCounts(model, Math.max(0, poll));
        return "home :: counts";
    }

    private void addCounts(Model model, int poll) {
        OrganizationCounts counts = organization.counts();
        ConsoleUser me = ConsoleUser.current();
        boolean headOffice = me != null && me.headOfficeAdmin();
        model.addAttribute(
                "stats",
                List.of(
                        new HomeStat("regions", "region", counts.regions(), "/regions", "bg-orange"),
                        new HomeStat("stores", "store", counts.stores(), "/stores", "bg-blue"),
                        new HomeStat("counters", "counter", counts.counters(), "/counters", "bg-green"),
                        new HomeStat("brands", "brand", counts.brands(), "/brands", "bg-purple"),
                        new HomeStat("categories", "category", counts.categories(), "/categories", "bg-yellow"),
                        new HomeStat(
                                "staff",
                                "staff",
                                staff.countAccountsInScope(),
                                headOffice ? "/staff" : null,
                                "bg-pink")));
        model.addAttribute("nextPoll", poll + 1);
        model.addAttribute("polling", poll < MAX_POLLS);
        model.addAttribute("pollSeconds", POLL_SECONDS);
    }

    private String chart(String type, List<String> labels, List<Long> values, String seriesKey) {
        Map<String, Object> chart = new LinkedHashMap<>();
        chart.put("type", type);
        chart.put("series", msg(seriesKey));
        chart.put("labels", labels);
        chart.put("values", values);
        return json.writeValueAsString(chart);
    }

    private String msg(String key) {
        return messages.getMessage(key, null, key, LocaleContextHolder.getLocale());
    }
}
