package dev.patron.campaigns.web;

import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Rate limit of the public tracking endpoints per client address (bucket4j, per instance):
 * {@code patron.campaigns.tracking-per-second} requests a second with bursts of ten times that;
 * beyond it 429 with Retry-After. Shields the database from a scraper walking token space.
 */
@Configuration(proxyBeanMethods = false)
class TrackingRateLimit {

    @Bean
    FilterRegistrationBean<OncePerRequestFilter> trackingRateLimitFilter(
            @Value("${patron.campaigns.tracking-per-second:50}") int perSecond) {
        FilterRegistrationBean<OncePerRequestFilter> bean = new FilterRegistrationBean<>(new Limit(perSecond));
        bean.addUrlPatterns("/t/*");
        bean.setOrder(-200);
        return bean;
    }

    static final class Limit extends OncePerRequestFilter {
        private static final int MAX_TRACKED = 100_000;
        private final int perSecond;
        private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

        Limit(int perSecond) {
            this.perSecond = perSecond;
        }

        @Override
        protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
                throws ServletException, IOException {
            if (buckets.size() > MAX_TRACKED) {
                buckets.clear();
            }
            Bucket bucket = buckets.computeIfAbsent(
                    request.getRemoteAddr(),
                    k -> Bucket.builder()
                            .addLimit(Bandwidth.builder()
                                    .capacity(perSecond * 10L)
                                    .refillGreedy(perSecond, Duration.ofSeconds(1))
                                    .build())
                            .build());
            if (!bucket.tryConsume(1)) {
                response.setStatus(429);
                response.setHeader("Retry-After", "1");
                return;
            }
            chain.doFilter(request, response);
        }
    }
}
