package dev.patron.members;

/**
 * Switch the member's "no personalised recommendations / marketing" choice on ({@code switchedOff}
 * true: the member refuses profiling and personalised targeting, PRV-09) or off again.
 * {@code source} says where the member asked (API when absent), {@code storeCode} at which store,
 * {@code evidence} optional proof (a form number, the call id).
 */
public record PersonalisationCommand(Boolean switchedOff, ConsentSource source, String storeCode, String evidence) {}
