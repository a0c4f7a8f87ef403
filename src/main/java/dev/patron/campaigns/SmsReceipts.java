package dev.patron.campaigns;

import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import tools.jackson.databind.JsonNode;

/**
 * SMS delivery receipts pushed by the gateway (same HMAC signature as replies). Each receipt is
 * matched to our message by the gateway's id (BizId / sid, or our OutId) plus the phone number
 * (MKT-10) and taken once per gateway id (MKT-11): delivered → DELIVERED event; failed with a code in
 * the gateway's hard-code list → hard bounce (number marked invalid, message FAILED); any other failure
 * → soft bounce (sent again with backoff and a new idempotency key while attempts remain).
 */
@Service
public class SmsReceipts {

    private final CampaignTracking tracking;
    private final SmsGateway gateway;
    private final JdbcClient jdbc;

    SmsReceipts(CampaignTracking tracking, SmsGateway gateway, JdbcClient jdbc) {
        this.tracking = tracking;
        this.gateway = gateway;
        this.jdbc = jdbc;
    }

    /** What one push did: receipts taken, repeated ones ignored, ones that match no message. */
    public record Outcome(int taken, int duplicates, int unmatched) {}

    /**
     * A receipt push: Aliyun SmsReport {@code [{phone_number, success, err_code, err_msg, biz_id,
     * out_id, report_time}]} or Tencent {@code [{mobile, report_status, errmsg, description, sid,
     * user_receive_time}]}, one object or an array. 403 on a wrong signature.
     */
    @Transactional
    public Outcome receipts(byte[] body, String signature) {
        List<JsonNode> items = tracking.signedItems(body, signature);
        Set<String> hard = gateway.hardCodes();
        int taken = 0;
        int duplicates = 0;
        int unmatched = 0;
        for (JsonNode item : items) {
            String bizId = CampaignTracking.firstText(item, "biz_id", "sid", "BizId", "SerialNo");
            String outId = CampaignTracking.firstText(item, "out_id", "ext", "OutId");
            String gatewayId = bizId != null ? bizId : outId;
            String phone = CampaignTracking.firstText(item, "phone_number", "mobile", "PhoneNumber");
            if (gatewayId == null || phone == null) {
                unmatched++;
                continue;
            }
            String e164 = CampaignTracking.e164(phone);
            boolean delivered = item.path("success").asBoolean(false)
                    || "SUCCESS".equalsIgnoreCase(CampaignTracking.firstText(item, "report_status", "status"));
            String code = CampaignTracking.firstText(item, "err_code", "errmsg", "ErrCode");
            String text = CampaignTracking.firstText(item, "err_msg", "description", "ErrMsg");
            String at = CampaignTracking.firstText(item, "report_time", "user_receive_time", "ReportTime");
            String kind = delivered
                    ? "DELIVERED"
                    : code != null && hard.contains(code.strip().toUpperCase(Locale.ROOT)) ? "HARD" : "SOFT";
            if (!tracking.firstTime(
                    "RECEIPT", gatewayId, e164, kind, CampaignTracking.abbreviate(describe(code, text)), at)) {
                duplicates++;
                continue;
            }
            Long messageId = e164 == null
                    ? null
                    : jdbc.sql("""
                                    select id from campaigns.message
                                    where channel = 'SMS' and address = ? and provider_id = any(?)
                                    order by id desc limit 1""")
                            .params(e164, (Object) nonNull(bizId, outId))
                            .query(Long.class)
                            .optional()
                            .orElse(null);
            if (messageId == null) {
                unmatched++;
                continue;
            }
            jdbc.sql("update campaigns.sms_callback set message_id = ? where kind = 'RECEIPT' and gateway_id = ?")
                    .params(messageId, gatewayId)
                    .update();
            taken++;
            if (delivered) {
                tracking.event(messageId, "DELIVERED", null, at);
            } else {
                tracking.bounced(messageId, kind, "SMS " + describe(code, text));
            }
        }
        return new Outcome(taken, duplicates, unmatched);
    }

    private static String[] nonNull(String a, String b) {
        return b == null ? new String[] {a} : a == null ? new String[] {b} : new String[] {a, b};
    }

    private static String describe(String code, String text) {
        String s = (code == null ? "" : code) + (text == null ? "" : " " + text);
        return s.isBlank() ? "failed" : s.strip();
    }
}
