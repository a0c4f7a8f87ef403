package dev.patron.members;

import java.util.Map;

/** How to import an uploaded file: column header → member field (unmapped columns are ignored), and the mode. */
public record ImportCommand(Map<String, String> mapping, ImportMode mode) {}
