package dev.patron.members;

import java.time.LocalDate;
import java.util.List;

/**
 * What a visitor gives on a store's public sign-up page: name and mobile phone (required), e-mail,
 * gender and birthday (optional), and the channels on which they agree to receive marketing.
 */
public record SelfSignUp(
        String name,
        String phone,
        String email,
        Gender gender,
        LocalDate birthday,
        List<ConsentChannel> marketingConsents) {

    /** The channels the page asks about, in the order shown. */
    public static final List<ConsentChannel> CHANNELS =
            List.of(ConsentChannel.SMS, ConsentChannel.PHONE, ConsentChannel.EMAIL);
}
