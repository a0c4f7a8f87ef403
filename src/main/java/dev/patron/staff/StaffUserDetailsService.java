package dev.patron.staff;

import org.springframework.security.core.userdetails.UserDetails;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.core.userdetails.UsernameNotFoundException;
import org.springframework.stereotype.Component;

/** Console logins are staff accounts; the principal carries roles and store scope. */
@Component
class StaffUserDetailsService implements UserDetailsService {

    private final StaffManagement staff;

    StaffUserDetailsService(StaffManagement staff) {
        this.staff = staff;
    }

    @Override
    public UserDetails loadUserByUsername(String username) {
        return staff.principalForLogin(username).orElseThrow(() -> new UsernameNotFoundException("unknown user"));
    }
}
