package dev.patron.campaigns;

import java.time.Clock;
import java.time.Instant;
import org.springframework.stereotype.Component;

/**
 * The time the campaign engine goes by (quiet hours, caps, backoff, scheduled starts). The system
 * clock in production; tests move it to check quiet hours and stuck-message leases.
 */
@Component
class CampaignClock {

    private volatile Clock clock = Clock.systemUTC();

    Instant now() {
        return clock.instant();
    }

    void set(Clock clock) {
        this.clock = clock;
    }

    void reset() {
        this.clock = Clock.systemUTC();
    }
}
