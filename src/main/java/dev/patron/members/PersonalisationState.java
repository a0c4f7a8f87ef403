package dev.patron.members;

import java.time.Instant;

/**
 * The member's current "no personalised recommendations / marketing" choice (PRV-09):
 * {@code switchedOff} true means campaigns may reach the member only through non-personal targets
 * (MKT-16) and profiling jobs skip the member. {@code at} and {@code source} are those of the latest
 * change; both null when the member never chose (personalisation allowed).
 */
public record PersonalisationState(boolean switchedOff, Instant at, ConsentSource source) {

    static final PersonalisationState NEVER_ASKED = new PersonalisationState(false, null, null);
}
