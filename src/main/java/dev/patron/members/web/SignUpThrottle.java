package dev.patron.members.web;

import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Limits self-service sign-up posts per client address (bucket4j token buckets), so that the
 * public page cannot be used to create members in bulk or to probe which phone numbers are
 * members. Buckets are per instance, like the login throttle's.
 */
final class SignUpThrottle {

    private static final int MAX_TRACKED = 100_000;
    private final int perMinute;
    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

    SignUpThrottle(int perMinute) {
        this.perMinute = perMinute;
    }

    /** Takes one sign-up from the address's allowance; false when it is used up for now. */
    boolean tryAcquire(String clientAddress) {
        if (buckets.size() > MAX_TRACKED) {
            buckets.clear();
        }
        return buckets.computeIfAbsent(
                        clientAddress,
                        k -> Bucket.builder()
                                .addLimit(Bandwidth.builder()
                                        .capacity(perMinute)
                                        .refillGreedy(perMinute, Duration.ofMinutes(1))
                                        .build())
                                .build())
                .tryConsume(1);
    }
}
