package dev.patron.sales;

import java.time.Duration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Only in {@link SalesCrashTests}' child application ({@code patron.test.crash-listener=true}): an
 * sales feed consumer that writes every announced sale id into {@code public.crash_seen} (idempotently),
 * after an optional delay ({@code patron.test.crash-listener-delay}) so that the test can kill the
 * process while its events are still undelivered.
 */
@Component
@ConditionalOnProperty(name = "patron.test.crash-listener", havingValue = "true")
class CrashTestListener implements SalesFeedConsumer {

    private final JdbcClient jdbc;
    private final Duration delay;

    CrashTestListener(JdbcClient jdbc, org.springframework.core.env.Environment env) {
        this.jdbc = jdbc;
        this.delay = Duration.parse(env.getProperty("patron.test.crash-listener-delay", "PT0S"));
        jdbc.sql("create table if not exists public.crash_seen (sale_id bigint primary key, deliveries int not null)")
                .update();
    }

    @Override
    public String feedName() {
        return "test.crash";
    }

    @Override
    public void onSales(java.util.List<SalesRecorded> events) {
        if (!delay.isZero()) {
            try {
                Thread.sleep(delay.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        for (RecordedSale s : SalesRecorded.merge(events).sales()) {
            jdbc.sql("""
                    insert into public.crash_seen (sale_id, deliveries) values (?, 1)
                    on conflict (sale_id) do update set deliveries = crash_seen.deliveries + 1""").param(s.saleId()).update();
        }
    }
}
