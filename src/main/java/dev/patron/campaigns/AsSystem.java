package dev.patron.campaigns;

import dev.patron.shared.security.StaffPrincipal;
import java.util.function.Supplier;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.core.context.SecurityContextHolder;

/**
 * Runs a call into another module's API as the SYSTEM principal: a member's unsubscribe click or SMS
 * reply and the campaign's bonus points are the system acting on the member's or the approved
 * campaign's behalf, whoever (if anyone) is signed in on the browser that follows the link.
 */
final class AsSystem {

    private AsSystem() {}

    static <T> T call(Supplier<T> work) {
        SecurityContext previous = SecurityContextHolder.getContext();
        SecurityContext ctx = SecurityContextHolder.createEmptyContext();
        ctx.setAuthentication(new UsernamePasswordAuthenticationToken(
                StaffPrincipal.SYSTEM, null, StaffPrincipal.SYSTEM.getAuthorities()));
        SecurityContextHolder.setContext(ctx);
        try {
            return work.get();
        } finally {
            SecurityContextHolder.setContext(previous);
        }
    }
}
