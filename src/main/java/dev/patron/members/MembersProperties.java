package dev.patron.members;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Settings of the member file ({@code patron.members.*}).
 *
 * @param cards the card number pattern
 * @param unmergeWindow how long an admin can undo a merge (30 days)
 * @param signUpPerMinute self-service sign-ups per client address per minute
 * @param consentWordingVersion the consent text version shown on the self-service page
 * @param searchCountLimit how many matches a member search counts at most (default 10,000); beyond
 *     it the total is a lower bound ("10,000+"), because counting every one of a million matches
 *     costs seconds
 */
@ConfigurationProperties("patron.members")
record MembersProperties(
        Cards cards,
        Duration unmergeWindow,
        Integer signUpPerMinute,
        String consentWordingVersion,
        Integer searchCountLimit) {

    MembersProperties {
        cards = cards == null ? new Cards(null, null, null) : cards;
        unmergeWindow = unmergeWindow == null ? Duration.ofDays(30) : unmergeWindow;
        signUpPerMinute = signUpPerMinute == null ? 5 : signUpPerMinute;
        consentWordingVersion = consentWordingVersion == null ? "2026-11" : consentWordingVersion;
        searchCountLimit = searchCountLimit == null ? 10_000 : searchCountLimit;
        if (searchCountLimit < 1) {
            throw new IllegalArgumentException("patron.members.search-count-limit must be at least 1");
        }
    }

    /**
     * Card numbers: {@code prefix} + serial, {@code length} digits in all, the last a Luhn check
     * digit when {@code checkDigit} (default: 8860, 16 digits, Luhn).
     */
    record Cards(String prefix, Integer length, Boolean checkDigit) {
        Cards {
            prefix = prefix == null ? "8860" : prefix;
            length = length == null ? 16 : length;
            checkDigit = checkDigit == null || checkDigit;
            if (!prefix.matches("\\d{0,10}") || length < prefix.length() + 4 || length > 24) {
                throw new IllegalArgumentException(
                        "patron.members.cards: prefix must be digits and length leave room for 4+ serial digits");
            }
        }
    }
}
