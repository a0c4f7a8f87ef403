package dev.patron.organization;

/** A brand sold at counters, optionally filed under a main category. */
public record Brand(long id, String code, String name, String nameEn, String categoryCode, String status) {}
