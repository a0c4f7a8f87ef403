package dev.patron.members;

import java.time.Instant;

/** A recorded merge; {@code undoableUntil} is when the admin's undo window closes. */
public record MergeRecord(
        long id,
        long survivorId,
        long mergedId,
        Instant at,
        String actor,
        Instant undoneAt,
        String undoneBy,
        Instant undoableUntil) {}
