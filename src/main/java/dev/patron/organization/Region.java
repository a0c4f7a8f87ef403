package dev.patron.organization;

/** A sales region grouping stores (e.g. 华东). */
public record Region(long id, String code, String name, int storeCount) {}
