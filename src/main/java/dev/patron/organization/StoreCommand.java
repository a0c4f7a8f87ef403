package dev.patron.organization;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.PastOrPresent;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.time.LocalDate;

/** Create or change a store; the region is named by its code. */
public record StoreCommand(
        @NotBlank(message = "{validation.required}") @Pattern(regexp = Codes.PATTERN, message = "{validation.code}")
        String code,

        @NotBlank(message = "{validation.required}") @Size(max = 100, message = "{validation.size.max}")
        String name,

        @NotBlank(message = "{validation.required}") String regionCode,
        @Size(max = 200, message = "{validation.size.max}") String legalEntity,
        @Size(max = 50, message = "{validation.size.max}") String city,
        @Size(max = 200, message = "{validation.size.max}") String address,

        @Pattern(regexp = "^[0-9+() -]{5,20}$", message = "{validation.phone}")
        String phone,

        String timeZone,

        @PastOrPresent(message = "{validation.pastOrPresent}")
        LocalDate openedOn,

        @Pattern(regexp = "ACTIVE|CLOSED", message = "{validation.status}")
        String status) {}
