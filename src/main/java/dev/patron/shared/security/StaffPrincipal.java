package dev.patron.shared.security;

import java.util.Collection;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.core.userdetails.UserDetails;

/**
 * Who is calling: a staff member logged into the console or an integration using an API key.
 *
 * @param id staff account id or API key id
 * @param name user name, or "apikey:&lt;name&gt;"
 * @param kind STAFF or API_KEY
 */
public record StaffPrincipal(
        long id,
        String name,
        String displayName,
        Kind kind,
        Set<Role> roles,
        StoreScope scope,
        String passwordHash,
        boolean enabled,
        boolean locked)
        implements UserDetails {

    public enum Kind {
        STAFF,
        API_KEY,
        SYSTEM
    }

    public static final StaffPrincipal SYSTEM = new StaffPrincipal(
            0, "system", "System", Kind.SYSTEM, EnumSet.allOf(Role.class), StoreScope.ALL, null, true, false);

    public boolean hasRole(Role role) {
        return roles.contains(role);
    }

    public boolean hasAnyRole(Role... candidates) {
        for (Role r : candidates) {
            if (roles.contains(r)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public Collection<? extends GrantedAuthority> getAuthorities() {
        List<GrantedAuthority> list = new java.util.ArrayList<>();
        for (Role r : roles) {
            list.add(new SimpleGrantedAuthority(r.authority()));
        }
        return list;
    }

    @Override
    public String getPassword() {
        return passwordHash;
    }

    @Override
    public String getUsername() {
        return name;
    }

    @Override
    public boolean isAccountNonLocked() {
        return !locked;
    }

    @Override
    public boolean isEnabled() {
        return enabled;
    }

    /** Audit label, e.g. "staff:admin" or "apikey:pos-1". */
    public String auditName() {
        return switch (kind) {
            case STAFF -> "staff:" + name;
            case API_KEY -> name;
            case SYSTEM -> "system";
        };
    }

    @Override
    public String toString() {
        return "StaffPrincipal[" + auditName() + ", " + roles + "]";
    }
}
