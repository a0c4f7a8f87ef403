package dev.patron.loyalty;

import java.util.List;

/**
 * Members' tiers changed (upgrades, reviews, overrides, merges): one event per evaluation, listing
 * every member whose tier changed in it — a batch of POS sales that lifts 300 members publishes one
 * event, not 300. Published in the changing transaction through the outbox; listeners must be
 * idempotent.
 */
public record TiersChanged(List<Change> changes) {

    public TiersChanged {
        changes = List.copyOf(changes);
    }

    /** One member's change; {@code fromCode} is the previous tier. */
    public record Change(long memberId, String fromCode, String toCode) {}

    /** The members concerned, in the order of the changes. */
    public List<Long> memberIds() {
        return changes.stream().map(Change::memberId).distinct().toList();
    }
}
