package dev.patron.organization;

import java.time.LocalDate;

/** A store of the chain, with its region and the legal entity that books its sales. */
public record Store(
        long id,
        String code,
        String name,
        String regionCode,
        String regionName,
        String legalEntity,
        String city,
        String address,
        String phone,
        String timeZone,
        LocalDate openedOn,
        String status,
        int counterCount) {}
