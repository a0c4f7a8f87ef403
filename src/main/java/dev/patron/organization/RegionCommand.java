package dev.patron.organization;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/** Create or change a region. */
public record RegionCommand(
        @NotBlank(message = "{validation.required}") @Pattern(regexp = Codes.PATTERN, message = "{validation.code}")
        String code,

        @NotBlank(message = "{validation.required}") @Size(max = 100, message = "{validation.size.max}")
        String name) {}
