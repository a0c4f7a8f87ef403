package dev.patron.staff.web;

import dev.patron.shared.security.Role;
import dev.patron.shared.web.ConsolePage;
import dev.patron.shared.web.ConsoleUser;
import dev.patron.shared.web.Forms;
import dev.patron.shared.web.ListLinks;
import dev.patron.shared.web.PageQuery;
import dev.patron.shared.web.PatronException;
import dev.patron.staff.StaffAccount;
import dev.patron.staff.StaffCommand;
import dev.patron.staff.StaffManagement;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.validation.Valid;
import java.util.EnumSet;
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
 * Staff accounts for head-office admins (URL rules admit ADMIN only; StaffManagement also
 * requires all stores): list with search and role filter, create, edit, unlock after lock-out.
 */
@Controller
@RequestMapping("/staff")
class StaffController implements ConsolePage {

    private final StaffManagement staff;
    private final StaffOptions options;

    StaffController(StaffManagement staff, StaffOptions options) {
        this.staff = staff;
        this.options = options;
    }

    @GetMapping
    String list(
            @RequestParam(required = false) Integer page,
            @RequestParam(required = false) Integer size,
            @RequestParam(required = false) String q,
            @RequestParam(required = false) String sort,
            @RequestParam(required = false) Role role,
            HttpServletRequest request,
            Model model) {
        PageQuery query = PageQuery.of(page, size, q, sort);
        model.addAttribute("result", staff.accounts(query, role));
        model.addAttribute(
                "links", ListLinks.of("/staff", query, "username").filter("role", role == null ? null : role.name()));
        model.addAttribute("roles", StaffOptions.roles());
        return Forms.wantsFragment(request) ? "staff/list :: results" : "staff/list";
    }

    @GetMapping("/new")
    String newForm(Model model) {
        ConsoleUser.requireHeadOfficeAdmin();
        model.addAttribute(
                "form", new StaffCommand(null, null, null, EnumSet.noneOf(Role.class), true, List.of(), null, true));
        return form(model, null);
    }

    @PostMapping
    String create(
            @Valid @ModelAttribute("form") StaffCommand form,
            BindingResult result,
            Model model,
            HttpServletResponse response,
            RedirectAttributes redirect) {
        if (result.hasErrors()) {
            Forms.invalid(response);
            return form(model, null);
        }
        try {
            return saved(staff.createAccount(form), redirect);
        } catch (PatronException e) {
            Forms.reject(result, e, response);
            return form(model, null);
        }
    }

    @GetMapping("/{id}/edit")
    String editForm(@PathVariable long id, Model model) {
        StaffAccount a = staff.account(id).orElseThrow(() -> PatronException.notFound("error.staff.notFound", id));
        model.addAttribute(
                "form",
                new StaffCommand(
                        a.username(),
                        a.displayName(),
                        a.email(),
                        a.roles(),
                        a.allStores(),
                        a.storeCodes(),
                        null,
                        a.enabled()));
        return form(model, a);
    }

    @PostMapping("/{id}")
    String update(
            @PathVariable long id,
            @Valid @ModelAttribute("form") StaffCommand form,
            BindingResult result,
            Model model,
            HttpServletResponse response,
            RedirectAttributes redirect) {
        StaffAccount current =
                staff.account(id).orElseThrow(() -> PatronException.notFound("error.staff.notFound", id));
        if (result.hasErrors()) {
            Forms.invalid(response);
            return form(model, current);
        }
        try {
            return saved(staff.updateAccount(id, form), redirect);
        } catch (PatronException e) {
            Forms.reject(result, e, response);
            return form(model, current);
        }
    }

    @PostMapping("/{id}/unlock")
    String unlock(@PathVariable long id, RedirectAttributes redirect) {
        staff.unlock(id);
        StaffAccount a = staff.account(id).orElseThrow();
        redirect.addFlashAttribute("flash", "flash.staff.unlocked");
        redirect.addFlashAttribute("flashArg", a.username());
        return "redirect:/staff";
    }

    private String form(Model model, StaffAccount editing) {
        model.addAttribute("editing", editing);
        model.addAttribute("roles", StaffOptions.roles());
        model.addAttribute("stores", options.stores());
        return "staff/form";
    }

    private static String saved(StaffAccount account, RedirectAttributes redirect) {
        redirect.addFlashAttribute("flash", "flash.staff.saved");
        redirect.addFlashAttribute("flashArg", account.username());
        return "redirect:/staff";
    }
}
