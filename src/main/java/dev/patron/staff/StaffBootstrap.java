package dev.patron.staff;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

/**
 * First start: creates {@code admin} (password from PATRON_ADMIN_PASSWORD, or random and logged
 * once) and, when PATRON_BOOTSTRAP_API_KEY is set, an admin API key with that value.
 */
@Component
@Order(0)
class StaffBootstrap implements ApplicationRunner {

    private static final Logger log = LoggerFactory.getLogger(StaffBootstrap.class);
    private final StaffManagement staff;
    private final StaffSecurityProperties settings;

    StaffBootstrap(StaffManagement staff, StaffSecurityProperties settings) {
        this.staff = staff;
        this.settings = settings;
    }

    @Override
    public void run(ApplicationArguments args) {
        String given = settings.adminPassword();
        boolean random = given == null || given.isBlank();
        String password = random ? StaffManagement.randomString(16) : given;
        if (!random) {
            try {
                staff.checkPassword("admin", password);
            } catch (dev.patron.shared.web.PatronException e) {
                throw new IllegalStateException("PATRON_ADMIN_PASSWORD is not acceptable: it must be at least "
                        + StaffManagement.MIN_PASSWORD_LENGTH + " characters long and must not contain 'admin'");
            }
        }
        if (staff.bootstrapAdmin(password)) {
            if (random) {
                log.warn(
                        "\n\n    Created the first staff account: user 'admin', password '{}'\n"
                                + "    This password is shown only once. Change it after logging in.\n",
                        password);
            } else {
                log.info("Created the first staff account 'admin' with the password from PATRON_ADMIN_PASSWORD");
            }
        }
        String key = settings.bootstrapApiKey();
        if (key != null && !key.isBlank() && staff.bootstrapApiKey(key.trim())) {
            log.info("Created the admin API key 'bootstrap' from PATRON_BOOTSTRAP_API_KEY");
        }
    }
}
