package dev.patron.staff;

import dev.patron.shared.web.DatabaseUnavailable;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.web.filter.OncePerRequestFilter;

/** Authenticates {@code Authorization: Bearer <key>}; a wrong or revoked key is 401 at once. */
class ApiKeyAuthenticationFilter extends OncePerRequestFilter {

    private final StaffManagement staff;
    private final SecurityConfiguration.ProblemWriter problems;

    ApiKeyAuthenticationFilter(StaffManagement staff, SecurityConfiguration.ProblemWriter problems) {
        this.staff = staff;
        this.problems = problems;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String header = request.getHeader("Authorization");
        if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            java.util.Optional<dev.patron.shared.security.StaffPrincipal> principal;
            try {
                principal = staff.authenticateApiKey(header.substring(7).trim());
            } catch (RuntimeException e) {
                if (!DatabaseUnavailable.is(e)) {
                    throw e;
                }
                // the key cannot be checked while the database is down: 503 so the client retries
                SecurityContextHolder.clearContext();
                response.setHeader("Retry-After", DatabaseUnavailable.RETRY_AFTER_SECONDS);
                problems.write(
                        request,
                        response,
                        HttpServletResponse.SC_SERVICE_UNAVAILABLE,
                        DatabaseUnavailable.messageKey(e));
                return;
            }
            if (principal.isEmpty()) {
                SecurityContextHolder.clearContext();
                problems.write(request, response, HttpServletResponse.SC_UNAUTHORIZED, "error.apiKey.invalid");
                return;
            }
            var auth = UsernamePasswordAuthenticationToken.authenticated(
                    principal.get(), null, principal.get().getAuthorities());
            SecurityContextHolder.getContext().setAuthentication(auth);
        }
        chain.doFilter(request, response);
    }
}
