package dev.patron.sales;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.springframework.modulith.events.ApplicationModuleListener;
import org.springframework.stereotype.Component;

/** Test listener: every ticket announced through the outbox, in order of delivery. */
@Component
public class RecordedSalesProbe {

    private final List<RecordedSale> seen = new CopyOnWriteArrayList<>();

    @ApplicationModuleListener
    void on(SalesRecorded event) {
        seen.addAll(event.sales());
    }

    public long timesSeen(long saleId) {
        return seen.stream().filter(s -> s.saleId() == saleId).count();
    }

    public List<RecordedSale> seen() {
        return List.copyOf(seen);
    }
}
