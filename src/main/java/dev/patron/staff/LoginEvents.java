package dev.patron.staff;

import dev.patron.shared.security.StaffPrincipal;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.context.event.EventListener;
import org.springframework.security.authentication.DisabledException;
import org.springframework.security.authentication.LockedException;
import org.springframework.security.authentication.event.AuthenticationSuccessEvent;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.web.authentication.AuthenticationFailureHandler;
import org.springframework.stereotype.Component;

/** Counts failed logins towards the lock-out, resets on success, and tells the login page why it failed. */
@Component
class LoginEvents implements AuthenticationFailureHandler {

    private final StaffManagement staff;

    LoginEvents(StaffManagement staff) {
        this.staff = staff;
    }

    @Override
    public void onAuthenticationFailure(
            HttpServletRequest request, HttpServletResponse response, AuthenticationException e) throws IOException {
        String reason;
        if (e instanceof LockedException) {
            reason = "locked";
        } else if (e instanceof DisabledException) {
            reason = "disabled";
        } else {
            staff.loginFailed(request.getParameter("username"));
            reason = "bad";
        }
        response.sendRedirect(request.getContextPath() + "/login?error=" + reason);
    }

    @EventListener
    void success(AuthenticationSuccessEvent event) {
        if (event.getAuthentication().getPrincipal() instanceof StaffPrincipal p
                && p.kind() == StaffPrincipal.Kind.STAFF) {
            staff.loginSucceeded(p.id());
        }
    }
}
