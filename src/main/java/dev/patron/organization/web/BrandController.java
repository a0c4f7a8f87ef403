package dev.patron.organization.web;

import dev.patron.organization.Brand;
import dev.patron.organization.BrandCommand;
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

/** Brands sold at counters: everyone reads them; head-office admins create and change them. */
@Controller
@RequestMapping("/brands")
class BrandController implements ConsolePage {

    private final OrganizationManagement organization;
    private final OrganizationOptions options;

    BrandController(OrganizationManagement organization, OrganizationOptions options) {
        this.organization = organization;
        this.options = options;
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
        model.addAttribute("result", organization.brands(query));
        model.addAttribute("links", ListLinks.of("/brands", query, "code"));
        return Forms.wantsFragment(request) ? "organization/brands :: results" : "organization/brands";
    }

    @GetMapping("/new")
    String newForm(Model model) {
        ConsoleUser.requireHeadOfficeAdmin();
        model.addAttribute("form", new BrandCommand(null, null, null, null, "ACTIVE"));
        return form(model);
    }

    @PostMapping
    String create(
            @Valid @ModelAttribute("form") BrandCommand form,
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
            return saved(organization.createBrand(form), redirect);
        } catch (PatronException e) {
            Forms.reject(result, e, response);
            return form(model);
        }
    }

    @GetMapping("/{code}/edit")
    String editForm(@PathVariable String code, Model model) {
        ConsoleUser.requireHeadOfficeAdmin();
        Brand b = organization.brand(code).orElseThrow(() -> PatronException.notFound("error.brand.notFound", code));
        model.addAttribute("form", new BrandCommand(b.code(), b.name(), b.nameEn(), b.categoryCode(), b.status()));
        model.addAttribute("editing", b.code());
        return form(model);
    }

    @PostMapping("/{code}")
    String update(
            @PathVariable String code,
            @Valid @ModelAttribute("form") BrandCommand form,
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
            return saved(organization.updateBrand(code, form), redirect);
        } catch (PatronException e) {
            Forms.reject(result, e, response);
            return form(model);
        }
    }

    private String form(Model model) {
        model.addAttribute("categories", options.categories(null));
        model.addAttribute("statuses", OrganizationOptions.statuses("ACTIVE", "INACTIVE"));
        return "organization/brand-form";
    }

    private static String saved(Brand brand, RedirectAttributes redirect) {
        redirect.addFlashAttribute("flash", "flash.brand.saved");
        redirect.addFlashAttribute("flashArg", brand.code());
        return "redirect:/brands";
    }
}
