package dev.patron.loyalty;

import net.javacrumbs.shedlock.spring.annotation.SchedulerLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Cancels gift reservations not handed out within {@code loyalty.gift_settings.reservation_hours}:
 * points back to the lots they came from, items released, status EXPIRED. Every 10 minutes (and on
 * demand); each reservation in its own transaction with the member's account locked first, so it
 * never races a confirm or cancel at the desk. On several app instances only one runs (ShedLock).
 */
@Component
class GiftReservationExpiry {

    private static final Logger log = LoggerFactory.getLogger(GiftReservationExpiry.class);
    private static final int BATCH = 500;

    private final GiftCatalog gifts;

    GiftReservationExpiry(GiftCatalog gifts) {
        this.gifts = gifts;
    }

    @Scheduled(cron = "${patron.loyalty.gift-expiry-cron:0 */10 * * * *}", zone = "Asia/Shanghai")
    @SchedulerLock(name = "loyalty.giftReservationExpiry", lockAtMostFor = "PT30M")
    void scheduled() {
        int n = expireDue();
        if (n > 0) {
            log.info("Gift reservations expired: {}", n);
        }
    }

    /** Expires every open reservation past its time; returns how many. */
    int expireDue() {
        int total = 0;
        while (true) {
            var due = gifts.dueReservations(BATCH);
            int expired = 0;
            for (long id : due) {
                if (gifts.expire(id)) {
                    expired++;
                }
            }
            total += expired;
            if (due.size() < BATCH || expired == 0) {
                return total;
            }
        }
    }
}
