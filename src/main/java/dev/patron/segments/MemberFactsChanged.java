package dev.patron.segments;

import java.util.List;

/**
 * The facts (and RFM row) of these members were recomputed in the publishing transaction: listeners
 * (rule segments, campaigns) re-evaluate what depends on them. Published through the outbox, so it
 * may be delivered again after a crash: listeners must be idempotent.
 */
public record MemberFactsChanged(List<Long> memberIds) {

    public MemberFactsChanged {
        memberIds = List.copyOf(memberIds);
    }
}
