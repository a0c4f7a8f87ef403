package dev.patron.campaigns;

/**
 * The language a member's campaign messages are written in ({@code zh} or {@code en}) and where the
 * choice comes from: {@code SET} by staff in the campaigns module, or {@code NAME_RULE} (members have
 * no language field: a name with Latin letters and no Chinese characters reads English).
 */
public record MemberLanguage(long memberId, String lang, String source) {}
