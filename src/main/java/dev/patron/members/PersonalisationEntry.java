package dev.patron.members;

import java.time.Instant;

/** One row of the member's personalisation history: switched off or on again, when, where, by whom. */
public record PersonalisationEntry(
        long id,
        boolean switchedOff,
        Instant at,
        ConsentSource source,
        String operator,
        String storeCode,
        String evidence) {}
