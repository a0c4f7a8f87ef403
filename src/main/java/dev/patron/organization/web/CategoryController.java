package dev.patron.organization.web;

import dev.patron.organization.Category;
import dev.patron.organization.CategoryCommand;
import dev.patron.organization.Codes;
import dev.patron.organization.OrganizationManagement;
import dev.patron.shared.web.ConsolePage;
import dev.patron.shared.web.ConsoleUser;
import dev.patron.shared.web.Forms;
import dev.patron.shared.web.PatronException;
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

/** The product category tree, shown indented; head-office admins add, rename and move categories. */
@Controller
@RequestMapping("/categories")
class CategoryController implements ConsolePage {

    private final OrganizationManagement organization;
    private final OrganizationOptions options;

    CategoryController(OrganizationManagement organization, OrganizationOptions options) {
        this.organization = organization;
        this.options = options;
    }

    @GetMapping
    String tree(Model model) {
        model.addAttribute("tree", organization.categoryTree());
        return "organization/categories";
    }

    @GetMapping("/new")
    String newForm(@RequestParam(required = false) String parent, Model model) {
        ConsoleUser.requireHeadOfficeAdmin();
        model.addAttribute("form", new CategoryCommand(null, null, parent, 0));
        return form(model, null);
    }

    @PostMapping
    String create(
            @Valid @ModelAttribute("form") CategoryCommand form,
            BindingResult result,
            Model model,
            HttpServletResponse response,
            RedirectAttributes redirect) {
        ConsoleUser.requireHeadOfficeAdmin();
        if (result.hasErrors()) {
            Forms.invalid(response);
            return form(model, null);
        }
        try {
            return saved(organization.createCategory(form), redirect);
        } catch (PatronException e) {
            Forms.reject(result, e, response);
            return form(model, null);
        }
    }

    @GetMapping("/{code}/edit")
    String editForm(@PathVariable String code, Model model) {
        ConsoleUser.requireHeadOfficeAdmin();
        Category c = organization
                .category(code)
                .orElseThrow(() -> PatronException.notFound("error.category.notFound", code));
        model.addAttribute("form", new CategoryCommand(c.code(), c.name(), c.parentCode(), c.sortOrder()));
        return form(model, c.code());
    }

    @PostMapping("/{code}")
    String update(
            @PathVariable String code,
            @Valid @ModelAttribute("form") CategoryCommand form,
            BindingResult result,
            Model model,
            HttpServletResponse response,
            RedirectAttributes redirect) {
        ConsoleUser.requireHeadOfficeAdmin();
        if (result.hasErrors()) {
            Forms.invalid(response);
            return form(model, code);
        }
        try {
            return saved(organization.updateCategory(code, form), redirect);
        } catch (PatronException e) {
            Forms.reject(result, e, response);
            return form(model, code);
        }
    }

    private String form(Model model, String editing) {
        model.addAttribute("editing", editing);
        model.addAttribute("parents", options.categories(editing == null ? null : Codes.normalize(editing)));
        return "organization/category-form";
    }

    private static String saved(Category category, RedirectAttributes redirect) {
        redirect.addFlashAttribute("flash", "flash.category.saved");
        redirect.addFlashAttribute("flashArg", category.code());
        return "redirect:/categories";
    }
}
