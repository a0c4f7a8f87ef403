package dev.patron.campaigns;

import java.util.Map;

/**
 * One channel's way out (SMTP, an SMS gateway). {@link #send} returns only when the server or gateway
 * accepted the message; everything else is a {@link Failure} saying whether to retry, give up on
 * this recipient, or pause the whole channel.
 */
public interface ChannelSender {

    Channel channel();

    /** Hands the message over; returns the provider's id (SMTP Message-ID, gateway BizId). */
    String send(Outgoing message) throws Failure;

    /** Lets go of any connection kept open between messages (after a dispatcher run). */
    default void close() {}

    /**
     * A message ready to go. {@code key} is our idempotency key (MKT-12), unique per message, passed
     * to gateways that de-duplicate on it (OutId / SessionContext).
     */
    record Outgoing(
            long messageId,
            String key,
            String to,
            String subject,
            String text,
            String html,
            Map<String, String> headers) {}

    /** Why a send failed and what to do about it. */
    final class Failure extends Exception {

        public enum Kind {
            /** Try again later (SMTP 4xx, a timeout before the server answered). */
            TRANSIENT,
            /** This recipient will never accept it (SMTP 5xx on the address, empty number). */
            RECIPIENT,
            /** The server or gateway is down or refuses us: pause the channel. */
            GATEWAY
        }

        private final Kind kind;

        public Failure(Kind kind, String message, Throwable cause) {
            super(message, cause);
            this.kind = kind;
        }

        public Kind kind() {
            return kind;
        }
    }
}
