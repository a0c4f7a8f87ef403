package dev.patron.members;

/**
 * How another system names a member: by member id, card number, mobile phone or an external id
 * ({@code system} + {@code value}). Resolved in bulk by {@link MemberReferences}.
 */
public record MemberReference(Kind kind, String system, String value) {

    public enum Kind {
        ID,
        CARD,
        PHONE,
        EXTERNAL
    }

    public static MemberReference id(long id) {
        return new MemberReference(Kind.ID, "", Long.toString(id));
    }

    public static MemberReference card(String number) {
        return new MemberReference(Kind.CARD, "", number);
    }

    public static MemberReference phone(String phone) {
        return new MemberReference(Kind.PHONE, "", phone);
    }

    public static MemberReference external(String system, String externalId) {
        return new MemberReference(Kind.EXTERNAL, system, externalId);
    }

    /** The request field that carried this reference, for error messages. */
    public String field() {
        return switch (kind) {
            case ID -> "memberId";
            case CARD -> "cardNumber";
            case PHONE -> "phone";
            case EXTERNAL -> "externalId";
        };
    }
}
