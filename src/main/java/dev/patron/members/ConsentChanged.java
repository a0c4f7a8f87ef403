package dev.patron.members;

import java.time.Instant;

/** A member granted or withdrew consent for a channel and purpose (MKT-03: senders stop at once on withdrawal). */
public record ConsentChanged(
        long memberId, ConsentChannel channel, ConsentPurpose purpose, boolean granted, Instant at) {}
