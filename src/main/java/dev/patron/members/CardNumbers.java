package dev.patron.members;

/**
 * Card numbers: a configurable prefix, a serial and a check digit (Luhn, as on bank and most
 * retail cards), all digits, of a fixed length. Numbers typed at a till or printed on physical
 * cards are checked before they are accepted, which catches a mistyped digit and every swap of
 * two adjacent digits (except 09/90).
 */
final class CardNumbers {

    private CardNumbers() {}

    /** The Luhn check digit for {@code payload} (digits only). */
    static int luhnDigit(String payload) {
        int sum = 0;
        boolean doubleIt = true; // the rightmost payload digit is doubled, since the check digit follows it
        for (int i = payload.length() - 1; i >= 0; i--) {
            int d = payload.charAt(i) - '0';
            if (d < 0 || d > 9) {
                throw new IllegalArgumentException("not a digit: " + payload.charAt(i));
            }
            if (doubleIt) {
                d *= 2;
                if (d > 9) {
                    d -= 9;
                }
            }
            sum += d;
            doubleIt = !doubleIt;
        }
        return (10 - sum % 10) % 10;
    }

    static boolean luhnValid(String number) {
        if (number == null || number.length() < 2 || !number.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return false;
        }
        return luhnDigit(number.substring(0, number.length() - 1)) == number.charAt(number.length() - 1) - '0';
    }

    /** A new number: prefix, serial zero-padded to the configured length, check digit. */
    static String generate(MembersProperties.Cards cfg, long serial) {
        int serialLength = cfg.length() - cfg.prefix().length() - (cfg.checkDigit() ? 1 : 0);
        String s = Long.toString(serial);
        if (s.length() > serialLength) {
            throw new IllegalStateException("Card number range of prefix " + cfg.prefix() + " is exhausted");
        }
        String payload = cfg.prefix() + "0".repeat(serialLength - s.length()) + s;
        return cfg.checkDigit() ? payload + luhnDigit(payload) : payload;
    }

    /** Whether a given number fits the configured pattern: digits, length and check digit (the prefix is not required for physical cards of older series). */
    static boolean acceptable(MembersProperties.Cards cfg, String number) {
        if (number == null || number.length() != cfg.length() || !number.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return false;
        }
        return !cfg.checkDigit() || luhnValid(number);
    }
}
