package dev.patron.campaigns;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signed tracking tokens: kind, message id and link number, followed by the first 16 bytes of their
 * HMAC-SHA256 under the installation's tracking secret, base64url. They carry no member id, and
 * without the secret they cannot be made or changed (2^-128 per guess).
 */
final class Tokens {

    enum Kind {
        OPEN,
        CLICK,
        UNSUBSCRIBE
    }

    record Token(Kind kind, long messageId, int linkNo) {}

    private static final int BODY = 1 + 8 + 2;
    private static final int MAC = 16;

    private Tokens() {}

    static String sign(String secret, Kind kind, long messageId, int linkNo) {
        ByteBuffer b = ByteBuffer.allocate(BODY + MAC);
        b.put((byte) kind.ordinal()).putLong(messageId).putShort((short) linkNo);
        byte[] mac = mac(secret, b.array(), BODY);
        b.put(mac, 0, MAC);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b.array());
    }

    static Optional<Token> verify(String secret, String token) {
        if (token == null || token.length() != 36) {
            return Optional.empty();
        }
        byte[] raw;
        try {
            raw = Base64.getUrlDecoder().decode(token);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        if (raw.length != BODY + MAC) {
            return Optional.empty();
        }
        byte[] expected = mac(secret, raw, BODY);
        byte[] given = java.util.Arrays.copyOfRange(raw, BODY, BODY + MAC);
        if (!MessageDigest.isEqual(java.util.Arrays.copyOf(expected, MAC), given)) {
            return Optional.empty();
        }
        ByteBuffer b = ByteBuffer.wrap(raw);
        int kind = b.get();
        if (kind < 0 || kind >= Kind.values().length) {
            return Optional.empty();
        }
        return Optional.of(new Token(Kind.values()[kind], b.getLong(), b.getShort()));
    }

    /** Hex HMAC-SHA256 of {@code body}, for gateway callbacks. */
    static String hmacHex(String secret, byte[] body) {
        byte[] mac = mac(secret, body, body.length);
        StringBuilder sb = new StringBuilder();
        for (byte x : mac) {
            sb.append(String.format("%02x", x));
        }
        return sb.toString();
    }

    private static byte[] mac(String secret, byte[] data, int length) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            mac.update(data, 0, length);
            return mac.doFinal();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
