package dev.patron.members.web;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SignUpThrottleTests {

    @Test
    void anAddressGetsItsAllowancePerMinuteAndOthersAreNotAffected() {
        SignUpThrottle throttle = new SignUpThrottle(3);
        for (int i = 0; i < 3; i++) {
            assertThat(throttle.tryAcquire("203.0.113.7")).isTrue();
        }
        assertThat(throttle.tryAcquire("203.0.113.7"))
                .as("the fourth sign-up within the minute")
                .isFalse();
        assertThat(throttle.tryAcquire("198.51.100.2")).as("another address").isTrue();
    }
}
