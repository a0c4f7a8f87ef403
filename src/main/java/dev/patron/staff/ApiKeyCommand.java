package dev.patron.staff;

import dev.patron.shared.security.Role;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.Size;
import java.util.List;
import java.util.Set;

/** Create an API key for an integration (POS, ERP, e-commerce), with roles and store scope. */
public record ApiKeyCommand(
        @NotBlank(message = "{validation.required}") @Size(max = 60, message = "{validation.size.max}")
        String name,

        @NotEmpty(message = "{validation.roles}") Set<Role> roles,
        boolean allStores,
        List<String> storeCodes) {}
