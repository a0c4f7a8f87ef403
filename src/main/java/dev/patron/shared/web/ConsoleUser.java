package dev.patron.shared.web;

import dev.patron.shared.security.CurrentStaff;
import dev.patron.shared.security.Role;
import dev.patron.shared.security.StaffPrincipal;
import java.util.List;
import java.util.Set;

/**
 * The staff member signed into the console, as templates see it: name, roles and what the
 * navigation may offer. The flags mirror the rules the module APIs enforce (they stay the
 * authority: a hidden button is a courtesy, the API call is the check).
 */
public record ConsoleUser(String username, String displayName, Set<Role> roles, boolean allStores) {

    /** The signed-in staff member, or null for anonymous requests (login page, public errors). */
    public static ConsoleUser current() {
        StaffPrincipal p = CurrentStaff.get();
        if (p.kind() != StaffPrincipal.Kind.STAFF) {
            return null;
        }
        return new ConsoleUser(p.name(), p.displayName(), p.roles(), p.scope().allStores());
    }

    public boolean admin() {
        return roles.contains(Role.ADMIN);
    }

    /** ADMIN with all stores: changes regions, stores, brands, categories; manages staff, API keys, audit. */
    public boolean headOfficeAdmin() {
        return admin() && allStores;
    }

    /** ADMIN or STORE_MANAGER change the counters of their stores. */
    public boolean counterEditor() {
        return roles.contains(Role.ADMIN) || roles.contains(Role.STORE_MANAGER);
    }

    public List<Role> sortedRoles() {
        return roles.stream().sorted().toList();
    }

    /** 403 (through Spring Security's access-denied page) unless the caller is a head-office admin. */
    public static void requireHeadOfficeAdmin() {
        CurrentStaff.requireAnyRole(Role.ADMIN);
        CurrentStaff.requireAllStores();
    }

    /** 403 unless the caller may change counters. */
    public static void requireCounterEditor() {
        CurrentStaff.requireAnyRole(Role.ADMIN, Role.STORE_MANAGER);
    }
}
