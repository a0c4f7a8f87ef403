package dev.patron.members;

/**
 * A contributed panel as shown for one member. {@code status} is OK, EMPTY (nothing to show) or
 * UNAVAILABLE (the contributing module failed; {@code data} is null).
 */
public record PanelView(String key, String titleKey, int order, String template, String status, Object data) {}
