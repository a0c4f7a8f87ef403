package dev.patron.members;

import java.time.Instant;

/**
 * A member switched personalised recommendations and marketing off ({@code switchedOff} true) or on
 * again (PRV-09). Profiling modules drop what they computed for the member when it is switched off;
 * campaigns read the current state at send time.
 */
public record PersonalisationChanged(long memberId, boolean switchedOff, Instant at) {}
