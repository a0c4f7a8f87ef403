package dev.patron.organization.web;

import dev.patron.organization.OrganizationManagement;
import dev.patron.organization.Region;
import dev.patron.organization.RegionCommand;
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

/** Regions: everyone signed in reads them; head-office admins create and change them. */
@Controller
@RequestMapping("/regions")
class RegionController implements ConsolePage {

    private final OrganizationManagement organization;

    RegionController(OrganizationManagement organization) {
        this.organization = organization;
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
        model.addAttribute("result", organization.regions(query));
        model.addAttribute("links", ListLinks.of("/regions", query, "code"));
        return Forms.wantsFragment(request) ? "organization/regions :: results" : "organization/regions";
    }

    @GetMapping("/new")
    String newForm(Model model) {
        ConsoleUser.requireHeadOfficeAdmin();
        model.addAttribute("form", new RegionCommand(null, null));
        return "organization/region-form";
    }

    @PostMapping
    String create(
            @Valid @ModelAttribute("form") RegionCommand form,
            BindingResult result,
            HttpServletResponse response,
            RedirectAttributes redirect) {
        ConsoleUser.requireHeadOfficeAdmin();
        if (result.hasErrors()) {
            Forms.invalid(response);
            return "organization/region-form";
        }
        try {
            Region region = organization.createRegion(form);
            return saved(region, redirect);
        } catch (PatronException e) {
            Forms.reject(result, e, response);
            return "organization/region-form";
        }
    }

    @GetMapping("/{code}/edit")
    String editForm(@PathVariable String code, Model model) {
        ConsoleUser.requireHeadOfficeAdmin();
        Region r = organization.region(code).orElseThrow(() -> PatronException.notFound("error.region.notFound", code));
        model.addAttribute("form", new RegionCommand(r.code(), r.name()));
        model.addAttribute("editing", r.code());
        return "organization/region-form";
    }

    @PostMapping("/{code}")
    String update(
            @PathVariable String code,
            @Valid @ModelAttribute("form") RegionCommand form,
            BindingResult result,
            HttpServletResponse response,
            RedirectAttributes redirect,
            Model model) {
        ConsoleUser.requireHeadOfficeAdmin();
        model.addAttribute("editing", code);
        if (result.hasErrors()) {
            Forms.invalid(response);
            return "organization/region-form";
        }
        try {
            return saved(organization.updateRegion(code, form), redirect);
        } catch (PatronException e) {
            Forms.reject(result, e, response);
            return "organization/region-form";
        }
    }

    private static String saved(Region region, RedirectAttributes redirect) {
        redirect.addFlashAttribute("flash", "flash.region.saved");
        redirect.addFlashAttribute("flashArg", region.code());
        return "redirect:/regions";
    }
}
