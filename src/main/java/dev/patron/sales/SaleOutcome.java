package dev.patron.sales;

import dev.patron.shared.web.PatronException;

/**
 * What happened to one ticket of a request: {@code CREATED} (new), {@code REPLAYED} (the same
 * ticket was recorded before: the first result is returned, nothing changed) or {@code FAILED}
 * with the error (400/403/409/422 naming the field), or {@code NOT_RECORDED} (good, but its
 * atomic batch was rejected).
 */
public record SaleOutcome(Status status, Ticket ticket, PatronException error) {

    public enum Status {
        CREATED,
        REPLAYED,
        FAILED,
        /** In an atomic batch that was rejected because another ticket failed. */
        NOT_RECORDED
    }

    static SaleOutcome created(Ticket t) {
        return new SaleOutcome(Status.CREATED, t, null);
    }

    static SaleOutcome replayed(Ticket t) {
        return new SaleOutcome(Status.REPLAYED, t, null);
    }

    static SaleOutcome notRecorded() {
        return new SaleOutcome(Status.NOT_RECORDED, null, null);
    }

    static SaleOutcome failed(PatronException e) {
        return new SaleOutcome(Status.FAILED, null, e);
    }
}
