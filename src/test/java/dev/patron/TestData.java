package dev.patron;

import java.util.concurrent.atomic.AtomicInteger;

/** Constants and unique values shared by integration tests. */
public final class TestData {

    public static final String ADMIN_PASSWORD = "Test-pw-Sunshine-1";
    public static final String BOOTSTRAP_API_KEY = "ptk_test_bootstrap_0123456789abcdef";
    private static final AtomicInteger SEQ = new AtomicInteger();
    private static final String RUN =
            Long.toString(System.nanoTime() % 46656, 36).toUpperCase();

    private TestData() {}

    /** A code unique in this test run, e.g. {@code ST-3K1-7}. */
    public static String unique(String prefix) {
        return prefix + "-" + RUN + "-" + SEQ.incrementAndGet();
    }
}
