package dev.patron.campaigns.web;

import dev.patron.campaigns.CampaignTracking;
import dev.patron.campaigns.SmsReceipts;
import java.util.Map;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;

/**
 * The SMS gateway's reply (uplink) push, public but authenticated by {@code X-Patron-Signature: hex
 * HMAC-SHA256(body)} with the callback secret; and its delivery receipts. Answers with both
 * providers' acknowledgements, Aliyun's {@code "code":0} and Tencent's {@code "result":0} (MKT-11).
 */
@RestController
class SmsCallbackController {

    private final CampaignTracking tracking;
    private final SmsReceipts receipts;

    SmsCallbackController(CampaignTracking tracking, SmsReceipts receipts) {
        this.tracking = tracking;
        this.receipts = receipts;
    }

    @PostMapping(value = "/t/sms/replies", produces = MediaType.APPLICATION_JSON_VALUE)
    Map<String, Object> smsReplies(
            @RequestBody byte[] body, @RequestHeader(name = "X-Patron-Signature", required = false) String signature) {
        int stops = tracking.smsReplies(body, signature);
        return Map.of("code", 0, "msg", "接收成功", "result", 0, "errmsg", "OK", "stops", stops);
    }

    @PostMapping(value = "/t/sms/receipts", produces = MediaType.APPLICATION_JSON_VALUE)
    Map<String, Object> smsReceipts(
            @RequestBody byte[] body, @RequestHeader(name = "X-Patron-Signature", required = false) String signature) {
        SmsReceipts.Outcome o = receipts.receipts(body, signature);
        return Map.of(
                "code",
                0,
                "msg",
                "接收成功",
                "result",
                0,
                "errmsg",
                "OK",
                "taken",
                o.taken(),
                "duplicates",
                o.duplicates(),
                "unmatched",
                o.unmatched());
    }
}
