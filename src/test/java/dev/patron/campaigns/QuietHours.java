package dev.patron.campaigns;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patron.ApiClient;
import java.util.HashMap;
import java.util.Map;

/**
 * For tests that send marketing SMS on the real clock: the quiet hours (21:00–08:00 in Shanghai by
 * default) would hold the messages back whenever the suite runs in the evening.
 */
public final class QuietHours {

    private QuietHours() {}

    /** Turns the SMS quiet hours off and returns the campaign settings as they were, for {@link #restore}. */
    public static Map<String, Object> off(ApiClient admin) {
        Map<String, Object> settings = new HashMap<>();
        admin.get("/api/v1/campaigns/settings")
                .json()
                .properties()
                .forEach(e -> settings.put(
                        e.getKey(),
                        e.getValue().isNumber()
                                ? e.getValue().numberValue()
                                : e.getValue().asString()));
        Map<String, Object> noQuiet = new HashMap<>(settings);
        noQuiet.put("quietStart", "00:00");
        noQuiet.put("quietEnd", "00:00");
        assertThat(admin.put("/api/v1/campaigns/settings", noQuiet).status()).isEqualTo(200);
        return settings;
    }

    /** Puts back the settings {@link #off} returned. */
    public static void restore(ApiClient admin, Map<String, Object> settings) {
        if (settings != null) {
            admin.put("/api/v1/campaigns/settings", settings);
        }
    }
}
