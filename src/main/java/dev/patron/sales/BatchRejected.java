package dev.patron.sales;

import java.util.List;

/**
 * An atomic batch had at least one bad ticket, so none was recorded (the transaction rolled back).
 * Carries every ticket's outcome: the bad ones FAILED with their errors, the others NOT_RECORDED.
 */
public class BatchRejected extends RuntimeException {

    private final transient List<SaleOutcome> outcomes;

    BatchRejected(List<SaleOutcome> outcomes) {
        super("atomic batch rejected");
        this.outcomes = List.copyOf(outcomes);
    }

    public List<SaleOutcome> outcomes() {
        return outcomes;
    }
}
