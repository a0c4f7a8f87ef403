package dev.patron.shared.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.springframework.context.i18n.LocaleContextHolder;
import org.springframework.context.support.ResourceBundleMessageSource;
import org.springframework.jdbc.CannotGetJdbcConnectionException;
import org.springframework.transaction.CannotCreateTransactionException;

class ApiExceptionHandlerTests {

    @Test
    void anExhaustedConnectionPoolIs503WithRetryAfterNot500() {
        ResourceBundleMessageSource messages = new ResourceBundleMessageSource();
        messages.setBasename("messages");
        messages.setDefaultEncoding("UTF-8");
        messages.setFallbackToSystemLocale(false);
        LocaleContextHolder.setLocale(Locale.SIMPLIFIED_CHINESE);
        try {
            var response = new ApiExceptionHandler(messages)
                    .unavailable(
                            new CannotGetJdbcConnectionException("Connection is not available, request timed out"));
            assertThat(response.getStatusCode().value()).isEqualTo(503);
            assertThat(response.getHeaders().getFirst("Retry-After")).isEqualTo("5");
            assertThat(response.getBody().getDetail()).isEqualTo("服务繁忙，请稍后几秒再试。");
            // inside @Transactional the pool timeout arrives wrapped by the transaction manager
            var wrapped = new ApiExceptionHandler(messages)
                    .unavailable(
                            new CannotCreateTransactionException("Could not open JDBC Connection for transaction"));
            assertThat(wrapped.getStatusCode().value()).isEqualTo(503);
        } finally {
            LocaleContextHolder.resetLocaleContext();
        }
    }
}
