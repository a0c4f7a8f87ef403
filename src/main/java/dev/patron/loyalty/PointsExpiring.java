package dev.patron.loyalty;

import java.time.LocalDate;

/**
 * Published once per member and expiry date when a member's open points will expire within the
 * program's warning window (for the campaign module to tell the member). {@code points} are the
 * member's points still open with that expiry date when the warning was made; they stay valid
 * until the end of {@code expiresOn}.
 */
public record PointsExpiring(long memberId, long points, LocalDate expiresOn) {}
