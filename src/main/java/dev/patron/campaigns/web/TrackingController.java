package dev.patron.campaigns.web;

import dev.patron.campaigns.CampaignTracking;
import dev.patron.campaigns.Channel;
import dev.patron.shared.web.ConsolePage;
import java.util.Optional;
import org.springframework.http.CacheControl;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;

/**
 * The public tracking endpoints under {@code /t/} (no login, no CSRF; rate limited per address by
 * {@link TrackingRateLimit}): open pixel, click redirect, unsubscribe (GET link and RFC 8058
 * one-click POST). Unknown tokens get 404. The SMS reply callback is {@link SmsCallbackController}.
 */
@Controller
class TrackingController implements ConsolePage {

    /** A transparent 1×1 GIF. */
    private static final byte[] PIXEL =
            java.util.Base64.getDecoder().decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7");

    private final CampaignTracking tracking;

    TrackingController(CampaignTracking tracking) {
        this.tracking = tracking;
    }

    @GetMapping("/t/o/{token}")
    ResponseEntity<byte[]> open(@PathVariable String token) {
        tracking.open(token);
        return ResponseEntity.ok()
                .cacheControl(CacheControl.noStore())
                .contentType(MediaType.IMAGE_GIF)
                .body(PIXEL);
    }

    @GetMapping("/t/c/{token}")
    ResponseEntity<Void> click(@PathVariable String token) {
        Optional<String> url = tracking.click(token);
        if (url.isEmpty()) {
            return ResponseEntity.notFound().build();
        }
        return ResponseEntity.status(302)
                .header(HttpHeaders.LOCATION, url.get())
                .cacheControl(CacheControl.noStore())
                .build();
    }

    @GetMapping("/t/u/{token}")
    String unsubscribe(@PathVariable String token, Model model, jakarta.servlet.http.HttpServletResponse response) {
        Optional<Channel> channel = tracking.unsubscribe(token);
        if (channel.isEmpty()) {
            response.setStatus(404);
        }
        model.addAttribute("done", channel.isPresent());
        model.addAttribute("channel", channel.orElse(null));
        return "campaigns/unsubscribed";
    }

    /** RFC 8058: mail clients POST {@code List-Unsubscribe=One-Click} to the List-Unsubscribe URL. */
    @PostMapping("/t/u/{token}")
    ResponseEntity<Void> oneClick(@PathVariable String token) {
        return tracking.unsubscribe(token).isPresent()
                ? ResponseEntity.ok().build()
                : ResponseEntity.notFound().build();
    }
}
