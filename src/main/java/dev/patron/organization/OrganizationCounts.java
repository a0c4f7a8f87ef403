package dev.patron.organization;

/** How big the organisation is, as the caller's store scope sees it. */
public record OrganizationCounts(long regions, long stores, long counters, long brands, long categories) {}
