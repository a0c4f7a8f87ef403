package dev.patron.members;

/**
 * Grant or withdraw consent for one channel and purpose. {@code wordingVersion} names the notice
 * text the member saw (PRV-01); {@code source} where it happened; {@code evidence} optional proof
 * (e.g. a signed form number or the sign-up request id).
 */
public record ConsentCommand(
        ConsentChannel channel,
        ConsentPurpose purpose,
        Boolean granted,
        ConsentSource source,
        String wordingVersion,
        String storeCode,
        String evidence) {}
