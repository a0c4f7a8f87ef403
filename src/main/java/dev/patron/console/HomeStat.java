package dev.patron.console;

/**
 * One count card of the home page.
 *
 * @param key names the label ({@code home.count.<key>}) and the card's id
 * @param href the list it opens, or null when the user may not open it
 */
public record HomeStat(String key, String icon, long value, String href, String color) {}
