package dev.patron.organization;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/** Create or change a category; {@code parentCode} empty for a top-level category. */
public record CategoryCommand(
        @NotBlank(message = "{validation.required}") @Pattern(regexp = Codes.PATTERN, message = "{validation.code}")
        String code,

        @NotBlank(message = "{validation.required}") @Size(max = 100, message = "{validation.size.max}")
        String name,

        String parentCode,

        @Min(value = 0, message = "{validation.min}") @Max(value = 100000, message = "{validation.max}")
        Integer sortOrder) {}
