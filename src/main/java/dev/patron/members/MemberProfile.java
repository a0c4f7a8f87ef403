package dev.patron.members;

import java.time.LocalDate;
import java.util.List;
import java.util.Map;

/**
 * The editable profile of a member. {@code PATCH /api/v1/members/{id}} changes the fields it names
 * (JSON merge patch: {@code null} clears a field). Stores are named by code; {@code phone} is any
 * common way of writing a mobile number (stored as E.164, region CN by default).
 */
public record MemberProfile(
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
        Map<String, Object> customFields) {}
