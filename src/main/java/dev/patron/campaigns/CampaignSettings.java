package dev.patron.campaigns;

import io.swagger.v3.oas.annotations.media.Schema;
import java.math.BigDecimal;
import java.time.LocalTime;

/**
 * Installation-wide campaign settings: the SMTP server and sender identity shown in every e-mail
 * (MKT-13), the SMS signature, the frequency cap (marketing messages per member per 7 days, MKT-08),
 * the SMS quiet hours in store local time (MKT-07), pacing, retries and unit costs for ROI. SMTP
 * credentials are not here: they come from {@code patron.campaigns.smtp.username/password}.
 */
@Schema(description = "Campaign settings")
public record CampaignSettings(
        @Schema(example = "smtp.example.com") String smtpHost,
        @Schema(example = "25") Integer smtpPort,
        @Schema(example = "crm@sunshine.example.com") String fromAddress,
        @Schema(example = "阳光百货会员中心") String senderName,
        @Schema(example = "400-820-0000") String senderContact,
        @Schema(example = "阳光百货") String smsSignature,

        @Schema(description = "Max marketing messages per member per 7 days", example = "3")
        Integer frequencyCap,

        @Schema(description = "No SMS from (store local time)", example = "21:00")
        LocalTime quietStart,

        @Schema(description = "No SMS until (store local time)", example = "08:00")
        LocalTime quietEnd,

        @Schema(example = "200") Integer ratePerSecond,
        @Schema(example = "200") Integer batchSize,
        @Schema(example = "4") Integer maxAttempts,

        @Schema(description = "Cost of one e-mail in fen", example = "0.5")
        BigDecimal emailCostFen,

        @Schema(description = "Cost of one SMS segment in fen", example = "4.5")
        BigDecimal smsCostFen,

        @Schema(description = "Cost of one bonus point in fen", example = "1")
        BigDecimal pointCostFen,

        @Schema(description = "Base URL of the public tracking links", example = "https://crm.example.com")
        String publicBaseUrl) {

    /** True when {@code t} (store local time) is inside the quiet hours. */
    public boolean quiet(LocalTime t) {
        if (quietStart.equals(quietEnd)) {
            return false;
        }
        return quietStart.isBefore(quietEnd)
                ? !t.isBefore(quietStart) && t.isBefore(quietEnd)
                : !t.isBefore(quietStart) || t.isBefore(quietEnd);
    }
}
