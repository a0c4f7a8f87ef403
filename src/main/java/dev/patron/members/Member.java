package dev.patron.members;

import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;

/**
 * The 360 view of a member: profile, cards, identifiers, consent, tags, notes and the panels that
 * other modules contribute ({@link MemberPanel}). Phones and e-mails are masked ({@code masked})
 * for roles that may not see them. {@code personalisation} is the member's "no personalised
 * recommendations / marketing" switch (PRV-09).
 */
public record Member(
        long id,
        MemberKind kind,
        MemberStatus status,
        String name,
        String namePinyin,
        String phone,
        String email,
        boolean masked,
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
        List<Card> cards,
        List<Identifier> identifiers,
        List<ConsentState> consents,
        List<Note> notes,
        Long mergedInto,
        Instant erasedAt,
        Instant createdAt,
        Instant updatedAt,
        PersonalisationState personalisation,
        List<PanelView> panels) {

    /** The editable profile as it is now (unmasked values only make sense for roles that see them). */
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

    Member withPanels(List<PanelView> p) {
        return new Member(
                id,
                kind,
                status,
                name,
                namePinyin,
                phone,
                email,
                masked,
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
                customFields,
                cards,
                identifiers,
                consents,
                notes,
                mergedInto,
                erasedAt,
                createdAt,
                updatedAt,
                personalisation,
                p);
    }
}
