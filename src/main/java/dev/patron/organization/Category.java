package dev.patron.organization;

/** A node of the product category tree; {@code depth} 0 is a top-level category. */
public record Category(long id, String code, String name, String parentCode, int depth, int sortOrder) {}
