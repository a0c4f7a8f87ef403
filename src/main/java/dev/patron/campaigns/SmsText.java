package dev.patron.campaigns;

/**
 * Length and segment count of an SMS. GSM 03.38 7-bit texts fit 160 characters in one message and
 * 153 per segment when concatenated (the user data header takes 7); any other character (Chinese)
 * switches the whole text to UCS-2: 70 characters in one message, 67 per segment. Characters of the
 * GSM extension table ({@code ^{}[]~|€\}) count twice. Carriers bill per segment.
 */
public record SmsText(String text, boolean ucs2, int length, int segments) {

    private static final String GSM_BASIC = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
            + "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
    private static final String GSM_EXTENDED = "^{}\\[~]|€\f";

    public static SmsText of(String text) {
        int gsmLength = 0;
        boolean gsm = true;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (GSM_BASIC.indexOf(c) >= 0) {
                gsmLength++;
            } else if (GSM_EXTENDED.indexOf(c) >= 0) {
                gsmLength += 2;
            } else {
                gsm = false;
                break;
            }
        }
        if (gsm) {
            return new SmsText(text, false, gsmLength, segments(gsmLength, 160, 153));
        }
        int units = text.length(); // UTF-16 code units: a character outside the BMP takes two
        return new SmsText(text, true, units, segments(units, 70, 67));
    }

    private static int segments(int length, int single, int perPart) {
        if (length == 0) {
            return 0;
        }
        return length <= single ? 1 : (length + perPart - 1) / perPart;
    }
}
