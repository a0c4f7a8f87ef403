package dev.patron.staff;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Login and bootstrap settings.
 *
 * @param adminPassword password of the first {@code admin} (env PATRON_ADMIN_PASSWORD); random and logged once when empty
 * @param bootstrapApiKey value of an admin API key created at start (env PATRON_BOOTSTRAP_API_KEY)
 * @param maxFailedLogins failed logins in a row that lock an account
 * @param lockDuration how long the lock lasts
 * @param loginAttemptsPerIpPerMinute login form posts allowed per client address per minute
 * @param apiKeyCache how long a verified API key is taken from memory instead of the database
 *     (default 10 s; 0 turns the cache off). A key revoked on this instance stops working at once;
 *     on other instances of a cluster within this time.
 */
@ConfigurationProperties("patron.security")
public record StaffSecurityProperties(
        String adminPassword,
        String bootstrapApiKey,
        Integer maxFailedLogins,
        Duration lockDuration,
        Integer loginAttemptsPerIpPerMinute,
        Duration apiKeyCache) {

    public StaffSecurityProperties {
        if (maxFailedLogins == null) {
            maxFailedLogins = 5;
        }
        if (lockDuration == null) {
            lockDuration = Duration.ofMinutes(15);
        }
        if (loginAttemptsPerIpPerMinute == null) {
            loginAttemptsPerIpPerMinute = 20;
        }
        if (apiKeyCache == null) {
            apiKeyCache = Duration.ofSeconds(10);
        }
    }
}
