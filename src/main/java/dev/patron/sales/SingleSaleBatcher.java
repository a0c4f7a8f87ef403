package dev.patron.sales;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
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
        final CountDownLatch done = new CountDownLatch(1);
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
        try {
            while (mine.done.getCount() > 0) {
                if (writers.tryAcquire()) {
                    try {
                        writeQueued();
                    } finally {
                        writers.release();
                    }
                } else {
                    mine.done.await(1, TimeUnit.MILLISECONDS);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while the sale was being recorded", e);
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
            batch.forEach(x -> x.done.countDown());
        }
    }
}
