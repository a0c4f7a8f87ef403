package dev.patron.organization;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.util.List;

/** Create or change a concession counter; store and brands are named by code. */
public record CounterCommand(
        @NotBlank(message = "{validation.required}") @Pattern(regexp = Codes.PATTERN, message = "{validation.code}")
        String code,

        @NotBlank(message = "{validation.required}") @Size(max = 100, message = "{validation.size.max}")
        String name,

        @NotBlank(message = "{validation.required}") String storeCode,

        @NotBlank(message = "{validation.required}") @Size(max = 200, message = "{validation.size.max}")
        String supplierName,

        @Size(max = 32, message = "{validation.size.max}") String supplierCode,
        @Size(max = 20, message = "{validation.size.max}") String floor,

        @Size(max = 50, message = "{validation.size.max}")
        List<@NotBlank(message = "{validation.required}") String> brandCodes,

        @Pattern(regexp = "ACTIVE|CLOSED", message = "{validation.status}")
        String status) {}
