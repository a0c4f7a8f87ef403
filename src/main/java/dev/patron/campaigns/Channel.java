package dev.patron.campaigns;

/** Channels a campaign sends on; the names match the members module's consent channels. */
public enum Channel {
    EMAIL,
    SMS
}
