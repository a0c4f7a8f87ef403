package dev.patron.organization;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/** Create or change a brand. */
public record BrandCommand(
        @NotBlank(message = "{validation.required}") @Pattern(regexp = Codes.PATTERN, message = "{validation.code}")
        String code,

        @NotBlank(message = "{validation.required}") @Size(max = 100, message = "{validation.size.max}")
        String name,

        @Size(max = 100, message = "{validation.size.max}") String nameEn,
        String categoryCode,

        @Pattern(regexp = "ACTIVE|INACTIVE", message = "{validation.status}")
        String status) {}
