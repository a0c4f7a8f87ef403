package dev.patron.staff.web;

import dev.patron.organization.OrganizationManagement;
import dev.patron.shared.security.Role;
import dev.patron.shared.web.SelectOption;
import java.util.Arrays;
import java.util.List;
import org.springframework.stereotype.Component;

/** Choices for the staff and API key forms: roles (labels are message keys) and stores. */
@Component
class StaffOptions {

    private final OrganizationManagement organization;

    StaffOptions(OrganizationManagement organization) {
        this.organization = organization;
    }

    static List<SelectOption> roles() {
        return Arrays.stream(Role.values())
                .map(r -> new SelectOption(r.name(), "role." + r.name()))
                .toList();
    }

    List<SelectOption> stores() {
        return organization.allStores().stream()
                .map(s -> new SelectOption(s.code(), s.name() + " (" + s.code() + ")"))
                .toList();
    }
}
