package dev.patron.campaigns.web;

import dev.patron.campaigns.CampaignTracking;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Base64;
import java.util.Optional;
import org.springframework.boot.web.servlet.ServletRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.filter.ServerHttpObservationFilter;

/**
 * The open pixel ({@code GET /t/o/{token}}) and the click redirect ({@code GET /t/c/{token}}): the
 * two requests every sent e-mail and SMS brings back, often many times, and the only public ones
 * with a target rate (500/s at p99 &lt; 20 ms, issue 7). They are a servlet of their own, mapped by
 * Tomcat on the path prefix: Spring MVC finds a handler for a path with a variable by trying each of
 * its 400-odd mappings in turn, which was a third of the CPU such a request took. Everything else
 * still applies as to any request: the security filter chain (public, no CSRF, its headers), the
 * rate limit ({@link TrackingRateLimit}), the request metrics under the path patterns above, and
 * the error pages. Unknown or forged tokens get 404 with an empty body. The unsubscribe page under
 * {@code /t/u/} stays in {@link TrackingController}.
 */
final class TrackingServlet extends HttpServlet {

    /** A transparent 1×1 GIF. */
    static final byte[] PIXEL = Base64.getDecoder().decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7");

    static final String OPEN = "/t/o";
    static final String CLICK = "/t/c";

    private final transient CampaignTracking tracking;

    TrackingServlet(CampaignTracking tracking) {
        this.tracking = tracking;
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String servletPath = request.getServletPath();
        String info = request.getPathInfo();
        String token = info == null || info.length() < 2 || info.indexOf('/', 1) >= 0 ? null : info.substring(1);
        boolean open = OPEN.equals(servletPath);
        ServerHttpObservationFilter.findObservationContext(request)
                .ifPresent(c -> c.setPathPattern(servletPath + "/{token}"));
        response.setHeader("Cache-Control", "no-store");
        if (open) {
            if (token != null) {
                tracking.open(token);
            }
            // the pixel either way: a mail client shows no broken image for a link we do not know
            response.setContentType("image/gif");
            response.setContentLength(PIXEL.length);
            response.getOutputStream().write(PIXEL);
            return;
        }
        Optional<String> url = token == null ? Optional.empty() : tracking.click(token);
        if (url.isEmpty()) {
            response.setStatus(HttpServletResponse.SC_NOT_FOUND);
            response.setContentLength(0);
            return;
        }
        response.setStatus(HttpServletResponse.SC_FOUND);
        response.setHeader("Location", url.get());
        response.setContentLength(0);
    }

    @Configuration(proxyBeanMethods = false)
    static class Registration {
        @Bean
        ServletRegistrationBean<TrackingServlet> trackingServlet(CampaignTracking tracking) {
            ServletRegistrationBean<TrackingServlet> bean =
                    new ServletRegistrationBean<>(new TrackingServlet(tracking), OPEN + "/*", CLICK + "/*");
            bean.setName("tracking");
            bean.setLoadOnStartup(1);
            return bean;
        }
    }
}
