package dev.patron.shared.web;

/**
 * Marks a server-rendered console controller. The console's advices ({@link PageExceptionHandler},
 * {@link PageFormBinding}) select controllers by this type rather than by {@code @Controller},
 * because {@code @RestController} is itself a {@code @Controller}: REST calls must keep answering
 * with problem+json from {@link ApiExceptionHandler}, never with an HTML page.
 */
public interface ConsolePage {}
