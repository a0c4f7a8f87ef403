package dev.patron.members;

import java.time.Instant;

/** A card's status change: issued, frozen, reported lost, replaced, cancelled, re-activated. */
public record CardEvent(String cardNumber, Instant at, CardStatus status, String actor, String reason) {}
