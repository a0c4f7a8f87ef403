package dev.patron.sales;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.locks.LockSupport;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Group commit for single POS sales. Each request's ticket (already checked in the request's
 * thread) joins a queue; whichever waiting request thread gets one of {@link #WRITERS} writer
 * permits takes everything queued (up to {@link #MAX_BATCH}) and writes it in one transaction —
 * one insert statement, one WAL flush, one {@link SalesRecorded} event — then hands every request
 * its own outcome. With one client each batch holds one sale (no added wait); under concurrency
 * the sales that arrived while the previous batch was being written go together, so the cost per
 * sale of transactions, flushes, events and their listeners falls as load rises.
 *
 * <p>Nothing is acknowledged before its batch committed. If a batch fails as a whole (e.g. the
 * database is unavailable) every request in it gets that error and the POS retries; the tickets
 * are idempotent, so a retry can never record one twice.
 */
final class SingleSaleBatcher {

    static final int WRITERS = 2;
    static final int MAX_BATCH = 200;

    private static final class Pending {
        final PreparedTicket ticket;
        final Thread owner = Thread.currentThread();
        final CountDownLatch done = new CountDownLatch(1);
        /** Set when a writer took the ticket from the queue: from then on its owner only waits. */
        volatile boolean taken;

        volatile SaleOutcome outcome;
        volatile RuntimeException error;

        Pending(PreparedTicket ticket) {
            this.ticket = ticket;
        }
    }

    private final ConcurrentLinkedQueue<Pending> queue = new ConcurrentLinkedQueue<>();
    private final Semaphore writers = new Semaphore(WRITERS);
    private final SalesManagement sales;
    private final TransactionTemplate tx;

    SingleSaleBatcher(SalesManagement sales, PlatformTransactionManager transactions) {
        this.sales = sales;
        this.tx = new TransactionTemplate(transactions);
        this.tx.setName(SingleSaleBatcher.class.getName() + ".write");
    }

    SaleOutcome submit(PreparedTicket ticket) {
        Pending mine = new Pending(ticket);
        queue.add(mine);
        // A request thread whose ticket is still queued becomes a writer when a permit is free;
        // otherwise it sleeps until a writer finishes (the next queued ticket's owner is woken) or
        // its own ticket is done. No thread spins: on two cores a spinning waiter takes the CPU the
        // writers need.
        boolean interrupted = false;
        while (mine.done.getCount() > 0) {
            if (!mine.taken && writers.tryAcquire()) {
                try {
                    writeQueued();
                } finally {
                    writers.release();
                    Pending next = queue.peek();
                    if (next != null) {
                        LockSupport.unpark(next.owner);
                    }
                }
            } else {
                // woken by unpark; the timeout only guards against a wake-up lost in a race
                LockSupport.parkNanos(this, mine.taken ? 50_000_000L : 2_000_000L);
                if (Thread.interrupted()) {
                    interrupted = true;
                    // withdrawn while still queued; once a writer took it, wait for its outcome
                    if (!mine.taken && queue.remove(mine)) {
                        Thread.currentThread().interrupt();
                        throw new IllegalStateException("interrupted before the sale was recorded");
                    }
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        if (mine.error != null) {
            throw mine.error;
        }
        return mine.outcome;
    }

    private void writeQueued() {
        List<Pending> batch = new ArrayList<>();
        Pending p;
        while (batch.size() < MAX_BATCH && (p = queue.poll()) != null) {
            p.taken = true;
            batch.add(p);
        }
        if (batch.isEmpty()) {
            return;
        }
        try {
            List<SaleOutcome> outcomes = tx.execute(
                    s -> sales.writePrepared(batch.stream().map(x -> x.ticket).toList()));
            for (int i = 0; i < batch.size(); i++) {
                batch.get(i).outcome = outcomes.get(i);
            }
        } catch (RuntimeException e) {
            batch.forEach(x -> x.error = e);
        } finally {
            batch.forEach(x -> {
                x.done.countDown();
                LockSupport.unpark(x.owner);
            });
        }
    }
}
