package dev.patron.campaigns;

import org.springframework.stereotype.Component;

/**
 * The SMS channel: the generic HTTP gateway when {@link SmsGateway} has a URL configured, else the
 * embedded log-only adapter. The configuration is read per send (cached for seconds), so an admin's
 * change applies without a restart.
 */
@Component
class GatewaySmsSender implements ChannelSender {

    private final SmsGateway gateway;
    private final LogSmsSender log = new LogSmsSender();
    private volatile Built built;

    private record Built(SmsGateway.Config config, HttpSmsSender sender) {}

    GatewaySmsSender(SmsGateway gateway) {
        this.gateway = gateway;
    }

    @Override
    public Channel channel() {
        return Channel.SMS;
    }

    @Override
    public String send(Outgoing message) throws Failure {
        SmsGateway.Config c = gateway.effective();
        if (c.url() == null || c.url().isBlank()) {
            return log.send(message);
        }
        Built b = built;
        if (b == null || !b.config().equals(c)) {
            b = new Built(
                    c,
                    new HttpSmsSender(
                            c.url(), c.bodyTemplate(), c.successMarker(), c.idField(), gateway.authorization()));
            built = b;
        }
        return b.sender().send(message);
    }
}
