package dev.patron.staff;

import dev.patron.shared.security.Role;
import jakarta.servlet.http.HttpServletResponse;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.MessageSource;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.UsernamePasswordAuthenticationFilter;
import org.springframework.security.web.authentication.www.BasicAuthenticationFilter;
import org.springframework.web.servlet.LocaleResolver;

/**
 * Who may reach what. Two chains: the REST API ({@code /api/v1/**}, actuator except health) is
 * stateless and authenticated by {@code Authorization: Bearer <api key>}; the console is form login
 * with a session, CSRF protection and lock-out after repeated failures. Finer rules (roles per
 * action, store scope) are enforced by each module's API so that pages and endpoints share them.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
class SecurityConfiguration {

    static final String[] PUBLIC = {
        "/login",
        "/webjars/**",
        "/css/**",
        "/js/**",
        "/img/**",
        "/favicon.ico",
        "/error",
        "/error/**",
        "/actuator/health",
        "/actuator/health/**",
        "/api/openapi.json",
        "/api/openapi.json/**",
        "/swagger-ui/**",
        "/swagger-ui.html",
        "/join/**",
        "/t/**" // campaign tracking links: signed tokens, rate limited (campaigns.web.TrackingServlet,
        // TrackingController)
    };

    /**
     * No Micrometer observations of Spring Security's filters, authentications and authorizations:
     * each request otherwise wraps every filter of the chain in an observation (about 6 % of a
     * member lookup's CPU), and nobody reads them; HTTP requests stay observed as a whole.
     */
    @Bean
    static org.springframework.security.config.observation.SecurityObservationSettings securityObservationSettings() {
        return org.springframework.security.config.observation.SecurityObservationSettings.noObservations();
    }

    @Bean
    @Order(1)
    SecurityFilterChain apiChain(
            HttpSecurity http, StaffManagement staff, MessageSource messages, LocaleResolver locales) throws Exception {
        http.securityMatcher("/api/v1/**", "/actuator/**")
                .authorizeHttpRequests(a -> a.requestMatchers("/actuator/health", "/actuator/health/**")
                        .permitAll()
                        .requestMatchers("/actuator/**")
                        .hasRole(Role.ADMIN.name())
                        .anyRequest()
                        .authenticated())
                .csrf(c -> c.disable()) // no cookies: bearer keys only
                .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .requestCache(c -> c.disable())
                .formLogin(f -> f.disable())
                .httpBasic(b -> b.disable())
                .logout(l -> l.disable())
                .addFilterBefore(
                        new ApiKeyAuthenticationFilter(staff, problems(messages, locales)),
                        BasicAuthenticationFilter.class)
                .exceptionHandling(e -> e.authenticationEntryPoint((req, res, ex) -> problems(messages, locales)
                                .write(req, res, HttpServletResponse.SC_UNAUTHORIZED, "error.unauthorized"))
                        .accessDeniedHandler((req, res, ex) -> problems(messages, locales)
                                .write(req, res, HttpServletResponse.SC_FORBIDDEN, "error.forbidden")));
        return http.build();
    }

    @Bean
    @Order(2)
    SecurityFilterChain consoleChain(HttpSecurity http, StaffSecurityProperties settings, LoginEvents loginEvents)
            throws Exception {
        http.authorizeHttpRequests(a -> a.requestMatchers(PUBLIC)
                        .permitAll()
                        .requestMatchers("/staff/**", "/api-keys/**", "/audit/**")
                        .hasRole(Role.ADMIN.name())
                        .anyRequest()
                        .authenticated())
                .formLogin(f -> f.loginPage("/login")
                        .defaultSuccessUrl("/", false)
                        .failureHandler(loginEvents)
                        .permitAll())
                .logout(l ->
                        l.logoutUrl("/logout").logoutSuccessUrl("/login?logout").deleteCookies("JSESSIONID"))
                // one-click unsubscribe (RFC 8058) and gateway callbacks post without a session
                .csrf(c -> c.ignoringRequestMatchers("/t/**"))
                .addFilterBefore(
                        new LoginThrottleFilter(settings.loginAttemptsPerIpPerMinute()),
                        UsernamePasswordAuthenticationFilter.class)
                .headers(h -> h.frameOptions(f -> f.deny())
                        .contentSecurityPolicy(c -> c.policyDirectives(
                                "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
                                        + "script-src 'self' 'unsafe-inline' 'unsafe-eval'; font-src 'self' data:; "
                                        + "connect-src 'self'; frame-ancestors 'none'; form-action 'self'")))
                .exceptionHandling(e -> e.accessDeniedPage("/error/403"));
        return http.build();
    }

    static ProblemWriter problems(MessageSource messages, LocaleResolver locales) {
        return new ProblemWriter(messages, locales);
    }

    /** Writes a problem+json body from a filter, where the MVC exception handlers do not reach. */
    record ProblemWriter(MessageSource messages, LocaleResolver locales) {
        void write(jakarta.servlet.http.HttpServletRequest req, HttpServletResponse res, int status, String key)
                throws java.io.IOException {
            Locale locale = locales.resolveLocale(req);
            String detail = messages.getMessage(key, null, key, locale);
            String title = messages.getMessage("http." + status, null, String.valueOf(status), locale);
            res.setStatus(status);
            res.setContentType("application/problem+json");
            res.setCharacterEncoding(StandardCharsets.UTF_8.name());
            if (status == HttpServletResponse.SC_UNAUTHORIZED) {
                res.setHeader("WWW-Authenticate", "Bearer");
            }
            res.getWriter()
                    .write("{\"type\":\"about:blank\",\"title\":" + quote(title) + ",\"status\":" + status
                            + ",\"detail\":" + quote(detail) + ",\"instance\":" + quote(req.getRequestURI()) + "}");
        }

        private static String quote(String s) {
            StringBuilder sb = new StringBuilder("\"");
            for (char c : s.toCharArray()) {
                switch (c) {
                    case '"' -> sb.append("\\\"");
                    case '\\' -> sb.append("\\\\");
                    default -> {
                        if (c < 0x20) {
                            sb.append(String.format("\\u%04x", (int) c));
                        } else {
                            sb.append(c);
                        }
                    }
                }
            }
            return sb.append('"').toString();
        }
    }
}
