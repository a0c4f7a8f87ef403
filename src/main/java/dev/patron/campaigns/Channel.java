package dev.patron.campaigns;

/** Channels a campaign sends on; the names match the members module's consent channels. */
public enum Channel {
    EMAIL,
    SMS,
    /** A call by an agent: "sent" puts the member on the call list with the script. */
    PHONE
}
