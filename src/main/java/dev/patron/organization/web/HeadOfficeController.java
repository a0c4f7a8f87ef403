package dev.patron.organization.web;

import dev.patron.organization.HeadOffice;
import dev.patron.organization.HeadOfficeCommand;
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
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/** The head office's details: everyone signed in reads them, head-office admins change them. */
@Controller
@RequestMapping("/head-office")
class HeadOfficeController implements ConsolePage {

    private final OrganizationManagement organization;

    HeadOfficeController(OrganizationManagement organization) {
        this.organization = organization;
    }

    @GetMapping
    String show(Model model) {
        HeadOffice office = organization.headOffice();
        model.addAttribute("office", office);
        model.addAttribute(
                "form", new HeadOfficeCommand(office.code(), office.name(), office.legalName(), office.timeZone()));
        return "organization/head-office";
    }

    @PostMapping
    String update(
            @Valid @ModelAttribute("form") HeadOfficeCommand form,
            BindingResult result,
            HttpServletResponse response,
            RedirectAttributes redirect,
            Model model) {
        ConsoleUser.requireHeadOfficeAdmin();
        model.addAttribute("office", organization.headOffice());
        if (result.hasErrors()) {
            Forms.invalid(response);
            return "organization/head-office";
        }
        try {
            organization.updateHeadOffice(form);
        } catch (PatronException e) {
            Forms.reject(result, e, response);
            return "organization/head-office";
        }
        redirect.addFlashAttribute("flash", "flash.headOffice.saved");
        return "redirect:/head-office";
    }
}
