package dev.patron.members;

import java.time.Instant;

/** One row of the consent ledger: who granted or withdrew what, when, where and after which wording. */
public record ConsentEntry(
        long id,
        ConsentChannel channel,
        ConsentPurpose purpose,
        boolean granted,
        Instant at,
        ConsentSource source,
        String wordingVersion,
        String operator,
        String storeCode,
        String evidence) {}
