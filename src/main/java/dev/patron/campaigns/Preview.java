package dev.patron.campaigns;

/** A message as one member would get it (links shown untracked), with the SMS length and segments. */
public record Preview(
        long memberId,
        Channel channel,
        String lang,
        String to,
        String subject,
        String text,
        String html,
        Integer smsLength,
        Integer smsSegments) {}
