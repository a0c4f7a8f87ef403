package dev.patron.members;

import java.util.List;

/** An admin-defined profile field; member values are checked against its type (and choices). */
public record CustomField(
        String code, String label, CustomFieldType type, List<String> choices, boolean required, boolean active) {}
