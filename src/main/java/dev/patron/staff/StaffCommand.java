package dev.patron.staff;

import dev.patron.shared.security.Role;
import jakarta.validation.constraints.Email;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.util.List;
import java.util.Set;

/**
 * Create or change a staff account. {@code password} is required on create and optional on update
 * (blank keeps the current one). Without {@code allStores}, {@code storeCodes} lists the stores the
 * account may see and change.
 */
public record StaffCommand(
        @NotBlank(message = "{validation.required}")
        @Pattern(regexp = "^[A-Za-z0-9._-]{3,40}$", message = "{validation.username}")
        String username,

        @NotBlank(message = "{validation.required}") @Size(max = 100, message = "{validation.size.max}")
        String displayName,

        @Email(message = "{validation.email}") @Size(max = 200, message = "{validation.size.max}")
        String email,

        @NotEmpty(message = "{validation.roles}") Set<Role> roles,
        boolean allStores,
        List<String> storeCodes,
        @Size(max = 128, message = "{validation.size.max}") String password,
        Boolean enabled) {}
