package dev.patron.members;

/**
 * Masks contact data for roles that do not need it: {@code 138****1234} for a phone,
 * {@code z***@example.com} for an e-mail (the format; PRV-06).
 */
final class Masking {

    private Masking() {}

    static String phone(String e164) {
        if (e164 == null) {
            return null;
        }
        String digits = Phones.nationalDigits(e164);
        if (digits.length() <= 4) {
            return "****";
        }
        if (digits.length() <= 7) {
            return "****" + digits.substring(digits.length() - 4);
        }
        return digits.substring(0, 3) + "****" + digits.substring(digits.length() - 4);
    }

    static String email(String email) {
        if (email == null) {
            return null;
        }
        int at = email.indexOf('@');
        if (at <= 0) {
            return "***";
        }
        return email.charAt(0) + "***" + email.substring(at);
    }

    /** Masks a value by identifier kind: phones and e-mails are masked, cards and external ids are not. */
    static String identifier(IdentifierKind kind, String value) {
        return switch (kind) {
            case PHONE -> phone(value);
            case EMAIL -> email(value);
            case CARD, EXTERNAL -> value;
        };
    }
}
