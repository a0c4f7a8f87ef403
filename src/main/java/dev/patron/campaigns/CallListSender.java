package dev.patron.campaigns;

import org.springframework.stereotype.Component;

/**
 * The phone channel: a message is "accepted" by putting it on the agents' call list
 * ({@link CallList}); the call itself and its outcome are the agent's.
 */
@Component
class CallListSender implements ChannelSender {

    @Override
    public Channel channel() {
        return Channel.PHONE;
    }

    @Override
    public String send(Outgoing message) {
        return "call-" + message.key();
    }
}
