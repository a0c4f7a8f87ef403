package dev.patron.organization.web;

import dev.patron.organization.Counter;
import dev.patron.organization.CounterCommand;
import dev.patron.organization.OrganizationManagement;
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

/** Concession counters of the user's stores; ADMIN and STORE_MANAGER create and change them. */
@Controller
@RequestMapping("/counters")
class CounterController implements ConsolePage {

    private final OrganizationManagement organization;
    private final OrganizationOptions options;

    CounterController(OrganizationManagement organization, OrganizationOptions options) {
        this.organization = organization;
        this.options = options;
    }

    @GetMapping
    String list(
            @RequestParam(required = false) Integer page,
            @RequestParam(required = false) Integer size,
            @RequestParam(required = false) String q,
            @RequestParam(required = false) String sort,
            @RequestParam(required = false) String store,
            @RequestParam(required = false) String brand,
            HttpServletRequest request,
            Model model) {
        PageQuery query = PageQuery.of(page, size, q, sort);
        model.addAttribute("result", organization.counters(query, store, brand));
        model.addAttribute(
                "links",
                ListLinks.of("/counters", query, "code").filter("store", store).filter("brand", brand));
        if (Forms.wantsFragment(request)) {
            return "organization/counters :: results";
        }
        model.addAttribute("stores", options.stores());
        return "organization/counters";
    }

    @GetMapping("/new")
    String newForm(@RequestParam(required = false) String store, Model model) {
        ConsoleUser.requireCounterEditor();
        model.addAttribute("form", new CounterCommand(null, null, store, null, null, null, List.of(), "ACTIVE"));
        return form(model);
    }

    @PostMapping
    String create(
            @Valid @ModelAttribute("form") CounterCommand form,
            BindingResult result,
            Model model,
            HttpServletResponse response,
            RedirectAttributes redirect) {
        ConsoleUser.requireCounterEditor();
        if (result.hasErrors()) {
            Forms.invalid(response);
            return form(model);
        }
        try {
            return saved(organization.createCounter(form), redirect);
        } catch (PatronException e) {
            Forms.reject(result, e, response);
            return form(model);
        }
    }

    @GetMapping("/{code}/edit")
    String editForm(@PathVariable String code, Model model) {
        ConsoleUser.requireCounterEditor();
        Counter c =
                organization.counter(code).orElseThrow(() -> PatronException.notFound("error.counter.notFound", code));
        model.addAttribute(
                "form",
                new CounterCommand(
                        c.code(),
                        c.name(),
                        c.storeCode(),
                        c.supplierName(),
                        c.supplierCode(),
                        c.floor(),
                        c.brandCodes(),
                        c.status()));
        model.addAttribute("editing", c.code());
        return form(model);
    }

    @PostMapping("/{code}")
    String update(
            @PathVariable String code,
            @Valid @ModelAttribute("form") CounterCommand form,
            BindingResult result,
            Model model,
            HttpServletResponse response,
            RedirectAttributes redirect) {
        ConsoleUser.requireCounterEditor();
        model.addAttribute("editing", code);
        if (result.hasErrors()) {
            Forms.invalid(response);
            return form(model);
        }
        try {
            return saved(organization.updateCounter(code, form), redirect);
        } catch (PatronException e) {
            Forms.reject(result, e, response);
            return form(model);
        }
    }

    private String form(Model model) {
        model.addAttribute("stores", options.stores());
        model.addAttribute("brands", options.brands());
        model.addAttribute("statuses", OrganizationOptions.statuses("ACTIVE", "CLOSED"));
        return "organization/counter-form";
    }

    private static String saved(Counter counter, RedirectAttributes redirect) {
        redirect.addFlashAttribute("flash", "flash.counter.saved");
        redirect.addFlashAttribute("flashArg", counter.code());
        return "redirect:/stores/" + counter.storeCode();
    }
}
