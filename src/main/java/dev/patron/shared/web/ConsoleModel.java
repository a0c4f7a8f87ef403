package dev.patron.shared.web;

import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.time.ZoneId;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.web.servlet.HandlerInterceptor;
import org.springframework.web.servlet.ModelAndView;
import org.springframework.web.util.UriComponentsBuilder;

/**
 * What every console page's layout needs besides its own model: the signed-in user ({@code me},
 * null when anonymous), the display time zone ({@code zone}), the current path (to highlight the
 * navigation) and the language-switch links ({@code langLinks.en}, {@code langLinks.zh}) back to
 * the same page. Added after each page handler, including Spring Boot's error pages; REST
 * responses have no view and are left alone.
 */
public final class ConsoleModel implements HandlerInterceptor {

    /** Times in the console are shown in the chain's head-office zone. */
    public static final ZoneId DISPLAY_ZONE = ZoneId.of("Asia/Shanghai");

    @Override
    public void postHandle(HttpServletRequest request, HttpServletResponse response, Object handler, ModelAndView mav) {
        if (mav == null) {
            return;
        }
        String view = mav.getViewName();
        if (view != null && (view.startsWith("redirect:") || view.startsWith("forward:"))) {
            return;
        }
        populate(mav.getModel(), request);
    }

    /** Adds the layout's attributes to {@code model} unless the page set them itself. */
    public static void populate(Map<String, Object> model, HttpServletRequest request) {
        model.putIfAbsent("me", ConsoleUser.current());
        model.putIfAbsent("zone", DISPLAY_ZONE);
        String uri = attribute(request, RequestDispatcher.FORWARD_REQUEST_URI);
        String query = attribute(request, RequestDispatcher.FORWARD_QUERY_STRING);
        if (uri == null) {
            uri = attribute(request, RequestDispatcher.ERROR_REQUEST_URI);
            query = null;
        }
        if (uri == null) {
            uri = request.getRequestURI();
            query = "GET".equals(request.getMethod()) ? request.getQueryString() : null;
        }
        model.putIfAbsent(
                "path",
                uri.substring(Math.min(uri.length(), request.getContextPath().length())));
        Map<String, String> lang = new LinkedHashMap<>();
        lang.put("zh", withLang(uri, query, "zh-CN"));
        lang.put("en", withLang(uri, query, "en"));
        model.putIfAbsent("langLinks", lang);
    }

    private static String withLang(String uri, String query, String lang) {
        try {
            return UriComponentsBuilder.fromUriString(query == null ? uri : uri + "?" + query)
                    .replaceQueryParam("lang", lang)
                    .build(true)
                    .toUriString();
        } catch (IllegalArgumentException e) {
            return UriComponentsBuilder.fromPath(uri)
                    .queryParam("lang", lang)
                    .encode()
                    .build()
                    .toUriString();
        }
    }

    private static String attribute(HttpServletRequest request, String name) {
        return request.getAttribute(name) instanceof String s ? s : null;
    }
}
