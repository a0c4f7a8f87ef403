package dev.patron.organization.web;

import dev.patron.organization.OrganizationManagement;
import dev.patron.organization.Store;
import dev.patron.organization.StoreCommand;
import dev.patron.shared.web.ConsolePage;
import dev.patron.shared.web.ConsoleUser;
import dev.patron.shared.web.Forms;
import dev.patron.shared.web.ListLinks;
import dev.patron.shared.web.PageQuery;
import dev.patron.shared.web.PatronException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.validation.Valid;
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
 * Stores: the list and detail show only the stores in the user's scope (another store's page is
 * 403); head-office admins create and change stores.
 */
@Controller
@RequestMapping("/stores")
class StoreController implements ConsolePage {

    /** Zones offered in the form; any valid zone id is accepted. */
    static final List<String> TIME_ZONES =
            List.of("Asia/Shanghai", "Asia/Hong_Kong", "Asia/Macau", "Asia/Taipei", "Asia/Urumqi");

    private final OrganizationManagement organization;
    private final OrganizationOptions options;

    StoreController(OrganizationManagement organization, OrganizationOptions options) {
        this.organization = organization;
        this.options = options;
    }

    @GetMapping
    String list(
            @RequestParam(required = false) Integer page,
            @RequestParam(required = false) Integer size,
            @RequestParam(required = false) String q,
            @RequestParam(required = false) String sort,
            @RequestParam(required = false) String region,
            HttpServletRequest request,
            Model model) {
        PageQuery query = PageQuery.of(page, size, q, sort);
        model.addAttribute("result", organization.stores(query, region));
        model.addAttribute("links", ListLinks.of("/stores", query, "code").filter("region", region));
        if (Forms.wantsFragment(request)) {
            return "organization/stores :: results";
        }
        model.addAttribute("regions", options.regions());
        return "organization/stores";
    }

    @GetMapping("/{code}")
    String show(@PathVariable String code, Model model) {
        Store store =
                organization.store(code).orElseThrow(() -> PatronException.notFound("error.store.notFound", code));
        model.addAttribute("store", store);
        model.addAttribute(
                "counters",
                organization.counters(new PageQuery(0, PageQuery.MAX_SIZE, null, "code", false), store.code(), null));
        return "organization/store";
    }

    @GetMapping("/new")
    String newForm(Model model) {
        ConsoleUser.requireHeadOfficeAdmin();
        model.addAttribute(
                "form", new StoreCommand(null, null, null, null, null, null, null, TIME_ZONES.get(0), null, "ACTIVE"));
        return form(model);
    }

    @PostMapping
    String create(
            @Valid @ModelAttribute("form") StoreCommand form,
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
            return saved(organization.createStore(form), redirect);
        } catch (PatronException e) {
            Forms.reject(result, e, response);
            return form(model);
        }
    }

    @GetMapping("/{code}/edit")
    String editForm(@PathVariable String code, Model model) {
        ConsoleUser.requireHeadOfficeAdmin();
        Store s = organization.store(code).orElseThrow(() -> PatronException.notFound("error.store.notFound", code));
        model.addAttribute(
                "form",
                new StoreCommand(
                        s.code(),
                        s.name(),
                        s.regionCode(),
                        s.legalEntity(),
                        s.city(),
                        s.address(),
                        s.phone(),
                        s.timeZone(),
                        s.openedOn(),
                        s.status()));
        model.addAttribute("editing", s.code());
        return form(model);
    }

    @PostMapping("/{code}")
    String update(
            @PathVariable String code,
            @Valid @ModelAttribute("form") StoreCommand form,
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
            return saved(organization.updateStore(code, form), redirect);
        } catch (PatronException e) {
            Forms.reject(result, e, response);
            return form(model);
        }
    }

    private String form(Model model) {
        model.addAttribute("regions", options.regions());
        model.addAttribute("statuses", OrganizationOptions.statuses("ACTIVE", "CLOSED"));
        model.addAttribute("timeZones", TIME_ZONES);
        return "organization/store-form";
    }

    private static String saved(Store store, RedirectAttributes redirect) {
        redirect.addFlashAttribute("flash", "flash.store.saved");
        redirect.addFlashAttribute("flashArg", store.code());
        return "redirect:/stores/" + store.code();
    }
}
