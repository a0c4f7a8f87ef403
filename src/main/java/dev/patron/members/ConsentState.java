package dev.patron.members;

import java.time.Instant;

/**
 * The current answer for one channel and purpose: the latest ledger entry, or none ({@code
 * granted} false, {@code at} null) when the member was never asked.
 */
public record ConsentState(
        ConsentChannel channel,
        ConsentPurpose purpose,
        boolean granted,
        Instant at,
        ConsentSource source,
        String wordingVersion) {}
