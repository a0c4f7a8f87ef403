package dev.patron.members;

import com.google.i18n.phonenumbers.NumberParseException;
import com.google.i18n.phonenumbers.PhoneNumberUtil;
import com.google.i18n.phonenumbers.PhoneNumberUtil.PhoneNumberFormat;
import com.google.i18n.phonenumbers.PhoneNumberUtil.PhoneNumberType;
import com.google.i18n.phonenumbers.Phonenumber.PhoneNumber;
import java.util.Optional;

/**
 * Member phone numbers: parsed with libphonenumber (default region CN), kept as E.164
 * ({@code +8613812341234}). A member's phone must be a mobile number: it is used for SMS and is
 * how the call center and the POS find the member.
 */
final class Phones {

    static final String DEFAULT_REGION = "CN";
    private static final PhoneNumberUtil UTIL = PhoneNumberUtil.getInstance();

    private Phones() {}

    /** E.164 form of a valid mobile number, or empty when the input is not one. */
    static Optional<String> normalizeMobile(String input) {
        PhoneNumber n = parse(input);
        if (n == null) {
            return Optional.empty();
        }
        // the type is UNKNOWN for a number that is not valid, so one match against the region's
        // patterns does what isValidNumber and getNumberType did with two (the lookup's hot path)
        PhoneNumberType type = UTIL.getNumberType(n);
        if (type != PhoneNumberType.MOBILE && type != PhoneNumberType.FIXED_LINE_OR_MOBILE) {
            return Optional.empty();
        }
        return Optional.of(UTIL.format(n, PhoneNumberFormat.E164));
    }

    /** E.164 form of any valid number (contact persons may give a landline), or empty. */
    static Optional<String> normalizeAny(String input) {
        PhoneNumber n = parse(input);
        return n != null && UTIL.isValidNumber(n)
                ? Optional.of(UTIL.format(n, PhoneNumberFormat.E164))
                : Optional.empty();
    }

    /** The national digits of an E.164 number ({@code 13812341234} for {@code +8613812341234}). */
    static String nationalDigits(String e164) {
        PhoneNumber n = parse(e164);
        return n == null ? e164.replaceAll("\\D", "") : String.valueOf(n.getNationalNumber());
    }

    private static PhoneNumber parse(String input) {
        if (input == null || input.isBlank() || input.length() > 30) {
            return null;
        }
        try {
            return UTIL.parse(input.trim(), DEFAULT_REGION);
        } catch (NumberParseException e) {
            return null;
        }
    }
}
