package dev.patron.loyalty;

/** Kinds of points ledger entries. */
public enum EntryKind {
    /** Points earned on a sale. */
    EARN,
    /** Points taken back because (part of) the sale was returned. */
    REVERSE,
    /** Points spent (as payment at the POS, for a gift). */
    REDEEM,
    /** A redemption cancelled: its points given back to the lots they came from. */
    REDEEM_CANCEL,
    /** Points whose lot reached its expiry date. */
    EXPIRE,
    /** A correction by staff, with a reason. */
    ADJUST,
    /** New points paying off a debt left by an earlier reversal. */
    DEBT_SETTLE,
    /** Points received from a member merged into this one. */
    TRANSFER_IN,
    /** Points moved to the member this one was merged into. */
    TRANSFER_OUT
}
