package dev.patron.campaigns.web;

import dev.patron.campaigns.CampaignTracking;
import dev.patron.campaigns.Channel;
import dev.patron.shared.web.ConsolePage;
import java.util.Optional;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;

/**
 * The public unsubscribe page under {@code /t/u/} (no login, no CSRF; rate limited per address by
 * {@link TrackingRateLimit}): GET link and RFC 8058 one-click POST. Unknown tokens get 404. The open
 * pixel and click redirect are {@link TrackingServlet}; the SMS callbacks {@link SmsCallbackController}.
 */
@Controller
class TrackingController implements ConsolePage {

    private final CampaignTracking tracking;

    TrackingController(CampaignTracking tracking) {
        this.tracking = tracking;
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
