package dev.patron.campaigns.web;

import dev.patron.campaigns.CampaignTracking;
import java.util.Map;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;

/**
 * The SMS gateway's reply (uplink) push, public but authenticated by {@code X-Patron-Signature: hex
 * HMAC-SHA256(body)} with the callback secret. Answers Aliyun's acknowledgement {@code {"code":0}}.
 */
@RestController
class SmsCallbackController {

    private final CampaignTracking tracking;

    SmsCallbackController(CampaignTracking tracking) {
        this.tracking = tracking;
    }

    @PostMapping(value = "/t/sms/replies", produces = MediaType.APPLICATION_JSON_VALUE)
    Map<String, Object> smsReplies(
            @RequestBody byte[] body, @RequestHeader(name = "X-Patron-Signature", required = false) String signature) {
        int stops = tracking.smsReplies(body, signature);
        return Map.of("code", 0, "msg", "接收成功", "stops", stops);
    }
}
