package dev.patron.console;

import dev.patron.shared.web.ConsolePage;
import dev.patron.shared.web.ConsoleUser;
import jakarta.servlet.http.HttpServletRequest;
import java.util.Set;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;

/**
 * The sign-in page. Spring Security processes the POST; its failure handler and login throttle
 * come back here with {@code ?error=bad|locked|disabled} or {@code ?throttled}, logout with {@code ?logout}.
 */
@Controller
class LoginController implements ConsolePage {

    private static final Set<String> REASONS = Set.of("bad", "locked", "disabled");

    @GetMapping("/login")
    String login(HttpServletRequest request, Model model) {
        if (ConsoleUser.current() != null) {
            return "redirect:/";
        }
        String error = request.getParameter("error");
        if (error != null) {
            model.addAttribute("errorKey", "login.error." + (REASONS.contains(error) ? error : "bad"));
        } else if (request.getParameterMap().containsKey("throttled")) {
            model.addAttribute("errorKey", "login.error.throttled");
        } else if (request.getParameterMap().containsKey("logout")) {
            model.addAttribute("infoKey", "login.loggedOut");
        }
        return "login";
    }
}
