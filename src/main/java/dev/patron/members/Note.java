package dev.patron.members;

import java.time.Instant;

/** A free-text note on a member by a staff member (service history, preferences). */
public record Note(long id, String body, String author, Instant at) {}
