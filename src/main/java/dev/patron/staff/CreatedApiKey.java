package dev.patron.staff;

/** A new key: {@code secret} is shown to the admin once and stored only as a hash. */
public record CreatedApiKey(ApiKeyInfo key, String secret) {}
