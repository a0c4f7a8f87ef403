package dev.patron.insights;

/** A category or brand of a rule, with its names from the organization module (name is Chinese). */
public record RuleItem(long id, String code, String name, String nameEn) {}
