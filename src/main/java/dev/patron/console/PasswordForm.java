package dev.patron.console;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;

/** The "change my password" form; the new password's rules are checked by StaffManagement. */
record PasswordForm(
        @NotBlank(message = "{validation.required}") String currentPassword,

        @NotBlank(message = "{validation.required}") @Size(max = 128, message = "{validation.size.max}")
        String newPassword,

        @NotBlank(message = "{validation.required}") String confirmPassword) {}
