package dev.patron.loyalty.web;

import dev.patron.loyalty.EarnRule;
import dev.patron.shared.web.PatronException;
import java.math.BigDecimal;
import java.time.LocalDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.springframework.http.HttpStatus;

/** The console form of an earn rule: codes as comma-separated text, times as datetime-local values. */
public class RuleForm {

    private String code;
    private String name;
    private String kind;
    private boolean active = true;
    private String validFrom;
    private String validTo;
    private Integer priority = 0;
    private String multiplier;
    private Long bonusPoints;
    private Long capPoints;
    private String tierCodes;
    private String storeCodes;
    private String brandCodes;
    private String categoryCodes;

    static RuleForm of(EarnRule r) {
        RuleForm f = new RuleForm();
        f.code = r.code();
        f.name = r.name();
        f.kind = r.kind().name();
        f.active = r.isActive();
        f.validFrom = r.validFrom() == null ? null : r.validFrom().toString();
        f.validTo = r.validTo() == null ? null : r.validTo().toString();
        f.priority = r.priority();
        f.multiplier = r.multiplier() == null ? null : r.multiplier().toPlainString();
        f.bonusPoints = r.bonusPoints();
        f.capPoints = r.capPoints();
        f.tierCodes = String.join(", ", r.tierCodes());
        f.storeCodes = String.join(", ", r.storeCodes());
        f.brandCodes = String.join(", ", r.brandCodes());
        f.categoryCodes = String.join(", ", r.categoryCodes());
        return f;
    }

    /** The rule, or a 400 naming the fields that are not a date-time, number or kind. */
    EarnRule toRule() {
        List<PatronException.FieldError> errors = new ArrayList<>();
        EarnRule.Kind k = null;
        if (kind != null && !kind.isBlank()) {
            try {
                k = EarnRule.Kind.valueOf(kind);
            } catch (IllegalArgumentException e) {
                errors.add(new PatronException.FieldError("kind", "validation.required"));
            }
        }
        LocalDateTime from = time("validFrom", validFrom, errors);
        LocalDateTime to = time("validTo", validTo, errors);
        BigDecimal m = null;
        if (multiplier != null && !multiplier.isBlank()) {
            try {
                m = new BigDecimal(multiplier.trim());
            } catch (NumberFormatException e) {
                errors.add(new PatronException.FieldError("multiplier", "rules.validation.multiplier"));
            }
        }
        if (!errors.isEmpty()) {
            throw new PatronException(HttpStatus.BAD_REQUEST, errors, "error.validation");
        }
        return new EarnRule(
                code,
                name,
                k,
                active,
                from,
                to,
                priority,
                m,
                bonusPoints,
                capPoints,
                split(tierCodes),
                split(storeCodes),
                split(brandCodes),
                split(categoryCodes),
                null,
                null);
    }

    private static LocalDateTime time(String field, String value, List<PatronException.FieldError> errors) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return LocalDateTime.parse(value.trim());
        } catch (DateTimeParseException e) {
            errors.add(new PatronException.FieldError(field, "rules.validation.dateTime"));
            return null;
        }
    }

    static List<String> split(String codes) {
        return codes == null
                ? List.of()
                : Arrays.stream(codes.split("[,，\\s]+"))
                        .filter(s -> !s.isBlank())
                        .toList();
    }

    public String getCode() {
        return code;
    }

    public void setCode(String code) {
        this.code = code;
    }

    public String getName() {
        return name;
    }

    public void setName(String name) {
        this.name = name;
    }

    public String getKind() {
        return kind;
    }

    public void setKind(String kind) {
        this.kind = kind;
    }

    public boolean isActive() {
        return active;
    }

    public void setActive(boolean active) {
        this.active = active;
    }

    public String getValidFrom() {
        return validFrom;
    }

    public void setValidFrom(String validFrom) {
        this.validFrom = validFrom;
    }

    public String getValidTo() {
        return validTo;
    }

    public void setValidTo(String validTo) {
        this.validTo = validTo;
    }

    public Integer getPriority() {
        return priority;
    }

    public void setPriority(Integer priority) {
        this.priority = priority;
    }

    public String getMultiplier() {
        return multiplier;
    }

    public void setMultiplier(String multiplier) {
        this.multiplier = multiplier;
    }

    public Long getBonusPoints() {
        return bonusPoints;
    }

    public void setBonusPoints(Long bonusPoints) {
        this.bonusPoints = bonusPoints;
    }

    public Long getCapPoints() {
        return capPoints;
    }

    public void setCapPoints(Long capPoints) {
        this.capPoints = capPoints;
    }

    public String getTierCodes() {
        return tierCodes;
    }

    public void setTierCodes(String tierCodes) {
        this.tierCodes = tierCodes;
    }

    public String getStoreCodes() {
        return storeCodes;
    }

    public void setStoreCodes(String storeCodes) {
        this.storeCodes = storeCodes;
    }

    public String getBrandCodes() {
        return brandCodes;
    }

    public void setBrandCodes(String brandCodes) {
        this.brandCodes = brandCodes;
    }

    public String getCategoryCodes() {
        return categoryCodes;
    }

    public void setCategoryCodes(String categoryCodes) {
        this.categoryCodes = categoryCodes;
    }
}
