package dev.patron.members;

import java.util.List;

/**
 * The answer to "who is this?" by phone, card, e-mail or external id: the member; the card that
 * was presented (with its status: a till refuses a card reported lost), when looked up by card;
 * and other active members sharing the phone or e-mail (a family on one number) to pick from;
 * {@code extras}: what other modules add for the member ({@link MemberLookupExtension}: tier and
 * benefits, points balance …), by key.
 */
public record MemberLookup(
        MemberSummary member, Card card, List<MemberSummary> otherMatches, java.util.Map<String, Object> extras) {}
