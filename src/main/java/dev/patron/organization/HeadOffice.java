package dev.patron.organization;

/** The chain's head office: its name, legal entity, home time zone and currency. */
public record HeadOffice(String code, String name, String legalName, String timeZone, String currency) {}
