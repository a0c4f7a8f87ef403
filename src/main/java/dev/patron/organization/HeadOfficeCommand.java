package dev.patron.organization;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/** Change the head office's details. The currency is fixed to CNY for now. */
public record HeadOfficeCommand(
        @NotBlank(message = "{validation.required}") @Pattern(regexp = Codes.PATTERN, message = "{validation.code}")
        String code,

        @NotBlank(message = "{validation.required}") @Size(max = 100, message = "{validation.size.max}")
        String name,

        @Size(max = 200, message = "{validation.size.max}") String legalName,
        String timeZone) {}
