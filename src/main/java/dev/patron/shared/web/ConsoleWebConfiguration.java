package dev.patron.shared.web;

import org.springframework.context.annotation.Configuration;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/** Gives every console view (pages, fragments, error pages) the layout's model; see {@link ConsoleModel}. */
@Configuration(proxyBeanMethods = false)
class ConsoleWebConfiguration implements WebMvcConfigurer {

    @Override
    public void addInterceptors(InterceptorRegistry registry) {
        registry.addInterceptor(new ConsoleModel())
                .excludePathPatterns("/api/**", "/actuator/**", "/webjars/**", "/css/**", "/js/**", "/img/**");
    }
}
