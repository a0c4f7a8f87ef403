package dev.patron.console;

import dev.patron.shared.web.ConsolePage;
import jakarta.servlet.http.HttpServletRequest;
import java.util.List;
import org.springframework.context.MessageSource;
import org.springframework.context.i18n.LocaleContextHolder;
import org.springframework.http.HttpStatus;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.web.WebAttributes;
import org.springframework.security.web.csrf.CsrfException;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.servlet.ModelAndView;

/**
 * The 403 page Spring Security forwards to when a signed-in user may not do something (any HTTP
 * method: a refused POST is forwarded as a POST). It names the reason when the module API gave one
 * (e.g. "this store is outside your stores"). Other errors are rendered by Spring Boot's error
 * controller with the templates in {@code error/}.
 */
@Controller
class ErrorPageController implements ConsolePage {

    private final MessageSource messages;

    ErrorPageController(MessageSource messages) {
        this.messages = messages;
    }

    @RequestMapping("/error/403")
    ModelAndView forbidden(HttpServletRequest request) {
        String key = "error.forbidden";
        Object denied = request.getAttribute(WebAttributes.ACCESS_DENIED_403);
        if (denied instanceof CsrfException) {
            key = "error.page.csrf";
        } else if (denied instanceof AccessDeniedException e
                && e.getMessage() != null
                && e.getMessage().startsWith("error.")) {
            key = e.getMessage();
        }
        ModelAndView mav = new ModelAndView("error/page", HttpStatus.FORBIDDEN);
        mav.addObject("status", 403);
        mav.addObject("message", messages.getMessage(key, null, key, LocaleContextHolder.getLocale()));
        mav.addObject("details", List.of());
        return mav;
    }
}
