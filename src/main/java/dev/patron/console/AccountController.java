package dev.patron.console;

import dev.patron.shared.web.ConsolePage;
import dev.patron.shared.web.Forms;
import dev.patron.shared.web.PatronException;
import dev.patron.staff.StaffManagement;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.validation.Valid;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.validation.BindingResult;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.ModelAttribute;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/** "My account": every signed-in staff member changes their own password here. */
@Controller
class AccountController implements ConsolePage {

    private final StaffManagement staff;

    AccountController(StaffManagement staff) {
        this.staff = staff;
    }

    @GetMapping("/account/password")
    String form(Model model) {
        model.addAttribute("form", new PasswordForm(null, null, null));
        return "console/password";
    }

    @PostMapping("/account/password")
    String change(
            @Valid @ModelAttribute("form") PasswordForm form,
            BindingResult result,
            HttpServletResponse response,
            RedirectAttributes redirect) {
        if (!result.hasErrors() && !form.newPassword().equals(form.confirmPassword())) {
            result.rejectValue("confirmPassword", "validation.password.confirm");
        }
        if (result.hasErrors()) {
            Forms.invalid(response);
            return "console/password";
        }
        try {
            staff.changeOwnPassword(form.currentPassword(), form.newPassword());
        } catch (PatronException e) {
            Forms.reject(result, e, response);
            return "console/password";
        }
        redirect.addFlashAttribute("flash", "flash.password.changed");
        return "redirect:/";
    }
}
