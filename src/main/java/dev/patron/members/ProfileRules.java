package dev.patron.members;

import dev.patron.organization.OrganizationManagement;
import dev.patron.shared.web.PatronException;
import dev.patron.staff.StaffManagement;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Checks and normalises a member profile, the same way for the console, the API, batches and
 * imports: every format problem of a request is reported at once (400, field named); then unknown
 * references (404 naming the field).
 */
@Component
class ProfileRules {

    static final ZoneId ZONE = ZoneId.of("Asia/Shanghai");
    static final LocalDate OLDEST_BIRTHDAY = LocalDate.of(1900, 1, 1);
    private static final Pattern EMAIL = Pattern.compile("^[^@\\s]{1,64}@[^@\\s.]+(\\.[^@\\s.]+)+$");
    private static final Pattern USCC = Pattern.compile("^[0-9A-HJ-NPQRTUWXY]{2}\\d{6}[0-9A-HJ-NPQRTUWXY]{10}$");
    private static final String USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY";
    private static final int[] USCC_WEIGHTS = {1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28};
    static final Pattern SYSTEM = Pattern.compile("^[a-z0-9][a-z0-9_.-]{0,39}$");

    /** A checked profile: phone in E.164, e-mail lower-case, stores as ids, custom fields typed. */
    record Valid(
            MemberKind kind,
            String name,
            Pinyin.Keys pinyin,
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
            Long preferredStoreId,
            Long joinStoreId,
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

    private final JdbcClient jdbc;
    private final OrganizationManagement organization;
    private final StaffManagement staff;

    ProfileRules(JdbcClient jdbc, OrganizationManagement organization, StaffManagement staff) {
        this.jdbc = jdbc;
        this.organization = organization;
        this.staff = staff;
    }

    /**
     * @param selfId the member being changed, null when creating
     * @param creating required custom fields are enforced on creation only, so that defining a new
     *     required field does not block every later edit of older members
     */
    Valid check(MemberProfile p, Long selfId, boolean creating, JoinChannel defaultChannel) {
        Problems problems = new Problems();
        Valid v = checkFormat(p, creating, defaultChannel, problems);
        problems.throwIfAny();
        return resolve(p, v, selfId);
    }

    /** Format checks only, reporting into {@code problems}; store codes etc. are resolved later. */
    Valid checkFormat(MemberProfile p, boolean creating, JoinChannel defaultChannel, Problems problems) {
        return checkFormat(p, creating, defaultChannel, problems, definitions());
    }

    /** As above with the custom field definitions given (an import reads them once, not per row). */
    Valid checkFormat(
            MemberProfile p,
            boolean creating,
            JoinChannel defaultChannel,
            Problems problems,
            List<CustomField> definitions) {
        MemberKind kind = p.kind() == null ? MemberKind.INDIVIDUAL : p.kind();
        String companyName = text(p.companyName(), "companyName", 200, problems);
        String name = trim(p.name());
        if (name == null && kind == MemberKind.INSTITUTION) {
            name = companyName;
        }
        if (name == null) {
            problems.add("name", "validation.required");
        } else if (name.length() > 100) {
            problems.add("name", "members.validation.tooLong", 100);
        }
        if (kind == MemberKind.INSTITUTION && companyName == null) {
            problems.add("companyName", "validation.required");
        }
        String phone = phone(p.phone(), "phone", problems);
        String email = email(p.email(), "email", problems);
        LocalDate today = LocalDate.now(ZONE);
        if (p.birthday() != null) {
            if (p.birthday().isAfter(today)) {
                problems.add("birthday", "validation.pastOrPresent");
            } else if (p.birthday().isBefore(OLDEST_BIRTHDAY)) {
                problems.add("birthday", "members.validation.birthdayTooOld");
            }
        }
        LocalDate joinedOn = p.joinedOn() == null ? today : p.joinedOn();
        if (joinedOn.isAfter(today)) {
            problems.add("joinedOn", "validation.pastOrPresent");
        }
        String taxId = trim(p.taxId());
        if (taxId != null) {
            taxId = taxId.toUpperCase(Locale.ROOT);
            if (kind != MemberKind.INSTITUTION) {
                problems.add("taxId", "members.validation.institutionOnly");
            } else if (!validTaxId(taxId)) {
                problems.add("taxId", "members.validation.taxId");
            }
        }
        List<String> interests = list(p.interests(), "interests", 20, 30, problems);
        List<String> tags = list(p.tags(), "tags", 50, 30, problems);
        List<ContactPerson> contacts = new ArrayList<>();
        if (p.contactPersons() != null && !p.contactPersons().isEmpty()) {
            if (kind != MemberKind.INSTITUTION) {
                problems.add("contactPersons", "members.validation.institutionOnly");
            } else if (p.contactPersons().size() > 20) {
                problems.add("contactPersons", "members.validation.tooMany", 20);
            } else {
                for (int i = 0; i < p.contactPersons().size(); i++) {
                    ContactPerson c = p.contactPersons().get(i);
                    String f = "contactPersons[" + i + "].";
                    if (c == null) {
                        problems.add("contactPersons[" + i + "]", "validation.required");
                        continue;
                    }
                    String cName = trim(c.name());
                    if (cName == null) {
                        problems.add(f + "name", "validation.required");
                    } else if (cName.length() > 100) {
                        problems.add(f + "name", "members.validation.tooLong", 100);
                    }
                    String cPhone = trim(c.phone()) == null
                            ? null
                            : Phones.normalizeAny(c.phone()).orElseGet(() -> {
                                problems.add(f + "phone", "validation.phone");
                                return null;
                            });
                    contacts.add(new ContactPerson(
                            cName,
                            text(c.title(), f + "title", 100, problems),
                            cPhone,
                            email(c.email(), f + "email", problems)));
                }
            }
        }
        if (p.institutionId() != null && kind == MemberKind.INSTITUTION) {
            problems.add("institutionId", "members.validation.individualOnly");
        }
        Map<String, Object> custom = customFields(p.customFields(), creating, problems, definitions);
        return new Valid(
                kind,
                name,
                Pinyin.of(name),
                phone,
                email,
                p.gender(),
                p.birthday(),
                text(p.region(), "region", 50, problems),
                text(p.city(), "city", 50, problems),
                text(p.occupation(), "occupation", 100, problems),
                text(p.industry(), "industry", 100, problems),
                p.incomeBand(),
                interests,
                null,
                null,
                p.referrerId(),
                joinedOn,
                p.joinChannel() == null ? defaultChannel : p.joinChannel(),
                p.ownerStaffId(),
                companyName,
                taxId,
                contacts,
                p.institutionId(),
                tags,
                custom);
    }

    /** Resolves store codes and checks referenced members and staff (404 naming the field). */
    Valid resolve(MemberProfile p, Valid v, Long selfId) {
        Long preferred = storeId(p.preferredStoreCode(), "preferredStoreCode");
        Long join = storeId(p.joinStoreCode(), "joinStoreCode");
        if (v.referrerId() != null) {
            if (v.referrerId().equals(selfId)) {
                throw PatronException.invalid("referrerId", "members.validation.selfReference");
            }
            if (!memberExists(v.referrerId())) {
                throw PatronException.unknownReference("referrerId", "error.members.notFound", v.referrerId());
            }
        }
        if (v.institutionId() != null) {
            Optional<String> kind = jdbc.sql("select kind from members.member where id = ? and status = 'ACTIVE'")
                    .param(v.institutionId())
                    .query(String.class)
                    .optional();
            if (kind.isEmpty()) {
                throw PatronException.unknownReference("institutionId", "error.members.notFound", v.institutionId());
            }
            if (!MemberKind.INSTITUTION.name().equals(kind.get())) {
                throw PatronException.invalid("institutionId", "members.validation.notInstitution");
            }
        }
        if (v.ownerStaffId() != null
                && staff.existingAccountIds(Set.of(v.ownerStaffId())).isEmpty()) {
            throw PatronException.unknownReference("ownerStaffId", "error.members.staffNotFound", v.ownerStaffId());
        }
        return new Valid(
                v.kind(),
                v.name(),
                v.pinyin(),
                v.phone(),
                v.email(),
                v.gender(),
                v.birthday(),
                v.region(),
                v.city(),
                v.occupation(),
                v.industry(),
                v.incomeBand(),
                v.interests(),
                preferred,
                join,
                v.referrerId(),
                v.joinedOn(),
                v.joinChannel(),
                v.ownerStaffId(),
                v.companyName(),
                v.taxId(),
                v.contactPersons(),
                v.institutionId(),
                v.tags(),
                v.customFields());
    }

    private Long storeId(String code, String field) {
        String c = trim(code);
        if (c == null) {
            return null;
        }
        return organization
                .storeIdByCode(c)
                .orElseThrow(() -> PatronException.unknownReference(field, "error.store.notFound", c));
    }

    private boolean memberExists(long id) {
        return jdbc.sql("select exists (select 1 from members.member where id = ?)")
                .param(id)
                .query(Boolean.class)
                .single();
    }

    // ---------------------------------------------------------------- custom fields

    List<CustomField> definitions() {
        return jdbc.sql("select code, label, type, choices, required, active from members.custom_field order by code")
                .query((rs, n) -> new CustomField(
                        rs.getString(1),
                        rs.getString(2),
                        CustomFieldType.valueOf(rs.getString(3)),
                        List.of((String[]) rs.getArray(4).getArray()),
                        rs.getBoolean(5),
                        rs.getBoolean(6)))
                .list();
    }

    private static Map<String, Object> customFields(
            Map<String, Object> values, boolean creating, Problems problems, List<CustomField> definitions) {
        Map<String, Object> result = new LinkedHashMap<>();
        Map<String, CustomField> defs = new LinkedHashMap<>();
        for (CustomField d : definitions) {
            if (d.active()) {
                defs.put(d.code(), d);
            }
        }
        if (values != null) {
            values.forEach((code, value) -> {
                CustomField def = defs.get(code);
                String field = "customFields." + code;
                if (def == null) {
                    problems.add(field, "members.validation.customField.unknown", code);
                    return;
                }
                if (value == null || (value instanceof String s && s.isBlank())) {
                    return;
                }
                Object typed = typed(def, value);
                if (typed == null) {
                    problems.add(
                            field,
                            "members.validation.customField.type",
                            def.type().name());
                } else {
                    result.put(code, typed);
                }
            });
        }
        if (creating) {
            for (CustomField d : defs.values()) {
                if (d.required() && !result.containsKey(d.code())) {
                    problems.add("customFields." + d.code(), "validation.required");
                }
            }
        }
        return result;
    }

    /** The value in its stored form, or null when it does not fit the type. */
    static Object typed(CustomField def, Object value) {
        try {
            return switch (def.type()) {
                case TEXT -> {
                    String s = value instanceof String str ? str.trim() : String.valueOf(value);
                    yield s.length() <= 500 ? s : null;
                }
                case NUMBER ->
                    value instanceof Number n
                            ? new BigDecimal(n.toString())
                            : value instanceof String s ? new BigDecimal(s.trim()) : null;
                case DATE ->
                    value instanceof String s ? LocalDate.parse(s.trim()).toString() : null;
                case BOOLEAN ->
                    value instanceof Boolean b
                            ? b
                            : value instanceof String s && (s.equalsIgnoreCase("true") || s.equalsIgnoreCase("false"))
                                    ? Boolean.valueOf(s)
                                    : null;
                case CHOICE -> value instanceof String s && def.choices().contains(s.trim()) ? s.trim() : null;
            };
        } catch (NumberFormatException | DateTimeParseException e) {
            return null;
        }
    }

    // ---------------------------------------------------------------- fields

    static String phone(String input, String field, Problems problems) {
        if (trim(input) == null) {
            return null;
        }
        Optional<String> e164 = Phones.normalizeMobile(input);
        if (e164.isEmpty()) {
            problems.add(field, "validation.phone");
            return null;
        }
        return e164.get();
    }

    static String email(String input, String field, Problems problems) {
        String e = trim(input);
        if (e == null) {
            return null;
        }
        e = e.toLowerCase(Locale.ROOT);
        if (e.length() > 254 || !EMAIL.matcher(e).matches()) {
            problems.add(field, "validation.email");
            return null;
        }
        return e;
    }

    /** 统一社会信用代码 (GB 32100-2015): 18 characters, the last a check character (mod 31). */
    static boolean validTaxId(String id) {
        if (!USCC.matcher(id).matches()) {
            return false;
        }
        int sum = 0;
        for (int i = 0; i < 17; i++) {
            sum += USCC_CHARS.indexOf(id.charAt(i)) * USCC_WEIGHTS[i];
        }
        int check = (31 - sum % 31) % 31;
        return USCC_CHARS.charAt(check) == id.charAt(17);
    }

    private static String text(String input, String field, int max, Problems problems) {
        String t = trim(input);
        if (t != null && t.length() > max) {
            problems.add(field, "members.validation.tooLong", max);
        }
        return t;
    }

    private static List<String> list(List<String> input, String field, int maxItems, int maxLength, Problems problems) {
        if (input == null) {
            return List.of();
        }
        Set<String> out = new LinkedHashSet<>();
        for (int i = 0; i < input.size(); i++) {
            String t = trim(input.get(i));
            if (t == null) {
                continue;
            }
            if (t.length() > maxLength) {
                problems.add(field + "[" + i + "]", "members.validation.tooLong", maxLength);
            }
            out.add(t);
        }
        if (out.size() > maxItems) {
            problems.add(field, "members.validation.tooMany", maxItems);
        }
        return List.copyOf(out);
    }

    static String trim(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }
}
