package dev.patron.members;

import java.time.LocalDate;
import java.util.List;
import java.util.Map;

/**
 * Enrol a member (console desk, POS, API, import, self-service). Besides the profile it may carry
 * a pre-printed physical card number (otherwise an electronic card is issued), external ids
 * ({@code {"system": "legacy", "value": "00042"}}) and consents given at sign-up. A phone already
 * used by another active member is refused (409) unless {@code allowDuplicatePhone} is true (a
 * family sharing one number).
 */
public record MemberCommand(
        MemberKind kind,
        String name,
        String phone,
        String email,
        Gender gender,
        LocalDate birthday,
        String region,
        String city,
        String occupation,
        String industry,
        IncomeBand incomeBand,
        List<String> interests,
        String preferredStoreCode,
        String joinStoreCode,
        Long referrerId,
        LocalDate joinedOn,
        JoinChannel joinChannel,
        Long ownerStaffId,
        String companyName,
        String taxId,
        List<ContactPerson> contactPersons,
        Long institutionId,
        List<String> tags,
        Map<String, Object> customFields,
        String cardNumber,
        List<ExternalId> identifiers,
        List<ConsentCommand> consents,
        Boolean allowDuplicatePhone) {

    /** A command with just a name and phone (tests, demo, quick desk sign-up). */
    public static MemberCommand of(String name, String phone) {
        return new MemberCommand(
                null, name, phone, null, null, null, null, null, null, null, null, null, null, null, null, null, null,
                null, null, null, null, null, null, null, null, null, null, null);
    }

    public MemberProfile profile() {
        return new MemberProfile(
                kind,
                name,
                phone,
                email,
                gender,
                birthday,
                region,
                city,
                occupation,
                industry,
                incomeBand,
                interests,
                preferredStoreCode,
                joinStoreCode,
                referrerId,
                joinedOn,
                joinChannel,
                ownerStaffId,
                companyName,
                taxId,
                contactPersons,
                institutionId,
                tags,
                customFields);
    }
}
