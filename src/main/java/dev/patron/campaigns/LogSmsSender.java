package dev.patron.campaigns;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded default SMS channel: writes each SMS to the log instead of a carrier (no gateway is
 * configured). The message counts as accepted, as it would by a gateway that answered OK. Chosen by
 * {@link GatewaySmsSender} when no gateway URL is configured.
 */
class LogSmsSender implements ChannelSender {

    private static final Logger log = LoggerFactory.getLogger(LogSmsSender.class);

    @Override
    public Channel channel() {
        return Channel.SMS;
    }

    @Override
    public String send(Outgoing m) {
        log.info("SMS (log only) {} to {}: {}", m.key(), m.to(), m.text());
        return "log-" + m.key();
    }
}
