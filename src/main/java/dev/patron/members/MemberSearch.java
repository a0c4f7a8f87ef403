package dev.patron.members;

/**
 * Filters of the member list. {@code q} is interpreted: Chinese characters match the start of the name,
 * Latin letters match pinyin or its initials ({@code wxm}), 4-10 digits match the end of the phone
 * or a card number, 11+ digits a full phone or card number. {@code tag}, {@code storeCode} and
 * {@code status} narrow further (status defaults to ACTIVE).
 */
public record MemberSearch(String q, String tag, String storeCode, MemberStatus status) {

    public static MemberSearch of(String q) {
        return new MemberSearch(q, null, null, null);
    }
}
