package dev.patron.staff.web;

import dev.patron.shared.security.Role;
import dev.patron.shared.web.ConsolePage;
import dev.patron.shared.web.Forms;
import dev.patron.shared.web.PatronException;
import dev.patron.staff.ApiKeyCommand;
import dev.patron.staff.ApiKeyInfo;
import dev.patron.staff.CreatedApiKey;
import dev.patron.staff.StaffManagement;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.validation.Valid;
import java.util.EnumSet;
import java.util.List;
import org.springframework.http.HttpHeaders;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.validation.BindingResult;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.ModelAttribute;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/**
 * API keys for integrations. A new key's secret is shown once, in the answer to the create POST
 * itself (never stored in the session, never cached), then only its prefix identifies it.
 */
@Controller
@RequestMapping("/api-keys")
class ApiKeyController implements ConsolePage {

    private final StaffManagement staff;
    private final StaffOptions options;

    ApiKeyController(StaffManagement staff, StaffOptions options) {
        this.staff = staff;
        this.options = options;
    }

    @GetMapping
    String list(Model model) {
        model.addAttribute("form", new ApiKeyCommand(null, EnumSet.noneOf(Role.class), true, List.of()));
        return page(model);
    }

    @PostMapping
    String create(
            @Valid @ModelAttribute("form") ApiKeyCommand form,
            BindingResult result,
            Model model,
            HttpServletResponse response) {
        response.setHeader(HttpHeaders.CACHE_CONTROL, "no-store");
        if (result.hasErrors()) {
            Forms.invalid(response);
            return page(model);
        }
        try {
            CreatedApiKey created = staff.createApiKey(form);
            model.addAttribute("created", created);
            model.addAttribute("form", new ApiKeyCommand(null, EnumSet.noneOf(Role.class), true, List.of()));
        } catch (PatronException e) {
            Forms.reject(result, e, response);
        }
        return page(model);
    }

    @PostMapping("/{id}/revoke")
    String revoke(@PathVariable long id, RedirectAttributes redirect) {
        staff.revokeApiKey(id);
        String name = staff.apiKeys().stream()
                .filter(k -> k.id() == id)
                .map(ApiKeyInfo::name)
                .findFirst()
                .orElse("#" + id);
        redirect.addFlashAttribute("flash", "flash.apiKey.revoked");
        redirect.addFlashAttribute("flashArg", name);
        return "redirect:/api-keys";
    }

    private String page(Model model) {
        model.addAttribute("keys", staff.apiKeys());
        model.addAttribute("roles", StaffOptions.roles());
        model.addAttribute("stores", options.stores());
        return "staff/api-keys";
    }
}
