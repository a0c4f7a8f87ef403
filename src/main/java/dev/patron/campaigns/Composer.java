package dev.patron.campaigns;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import org.springframework.web.util.HtmlUtils;

/**
 * Turns a template and a member's data into the message that goes out, adding what the rules
 * require: e-mail subjects start with 广告/AD, every e-mail names the sender with contact details
 * and an unsubscribe link (MKT-13, 互联网电子邮件服务管理办法), and carries List-Unsubscribe with
 * one-click POST (RFC 8058); every SMS starts with the 【signature】 and ends with "回T退订"
 * (工信部令第31号: a convenient way to refuse).
 */
final class Composer {

    static final String SMS_OPT_OUT = "回T退订";

    private Composer() {}

    /** Links for one message: tracked (real send) or plain (preview). */
    interface Links {
        String click(String url);

        String unsubscribe();

        String openPixel();
    }

    static ChannelSender.Outgoing compose(
            long messageId,
            String key,
            String to,
            TemplateText t,
            Personalisation.MemberData d,
            CampaignSettings s,
            Links links) {
        String lang = t.lang();
        Function<String, String> link = links::click;
        if (t.channel() == Channel.PHONE) {
            String script = Personalisation.render(t.body(), d, lang, false, url -> url);
            return new ChannelSender.Outgoing(messageId, key, to, null, script, null, Map.of());
        }
        // MKT-09: a service notice is not advertising: no 广告/AD subject, no SMS opt-out suffix
        boolean notice = t.typeOrDefault() == TemplateType.NOTICE;
        if (t.channel() == Channel.SMS) {
            String body = Personalisation.render(t.body(), d, lang, false, link);
            return new ChannelSender.Outgoing(
                    messageId, key, to, null, notice ? signed(body, s) : sms(body, s), null, Map.of());
        }
        boolean zh = !"en".equals(lang);
        String subject = Personalisation.render(t.subject(), d, lang, false, link);
        subject = notice ? subject : adSubject(subject, zh);
        String unsubscribe = links.unsubscribe();
        String text = Personalisation.render(t.body(), d, lang, false, link)
                + "\n\n--\n"
                + (zh
                        ? s.senderName() + "  客服电话 " + s.senderContact() + "  回复邮箱 " + s.fromAddress() + "\n退订营销邮件："
                                + unsubscribe
                        : s.senderName() + "  Phone " + s.senderContact() + "  Reply to " + s.fromAddress()
                                + "\nUnsubscribe: " + unsubscribe);
        String html = null;
        if (t.html() != null && !t.html().isBlank()) {
            String esc = HtmlUtils.htmlEscape(unsubscribe);
            html = Personalisation.render(t.html(), d, lang, true, link)
                    + "<hr><p style=\"font-size:12px;color:#666\">"
                    + HtmlUtils.htmlEscape(s.senderName()) + " · " + HtmlUtils.htmlEscape(s.senderContact()) + " · "
                    + HtmlUtils.htmlEscape(s.fromAddress()) + "<br><a href=\"" + esc + "\">"
                    + (zh ? "退订营销邮件" : "Unsubscribe") + "</a></p>"
                    + (links.openPixel() == null
                            ? ""
                            : "<img src=\"" + HtmlUtils.htmlEscape(links.openPixel())
                                    + "\" width=\"1\" height=\"1\" alt=\"\">");
        }
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("List-Unsubscribe", "<" + unsubscribe + ">, <mailto:" + s.fromAddress() + "?subject=unsubscribe>");
        headers.put("List-Unsubscribe-Post", "List-Unsubscribe=One-Click");
        return new ChannelSender.Outgoing(messageId, key, to, subject, text, html, headers);
    }

    static String adSubject(String subject, boolean zh) {
        String s = subject == null ? "" : subject.strip();
        if (s.startsWith("广告") || s.regionMatches(true, 0, "AD", 0, 2)) {
            return s;
        }
        return (zh ? "广告：" : "AD: ") + s;
    }

    static String sms(String body, CampaignSettings s) {
        String text = signed(body, s);
        if (!text.endsWith(SMS_OPT_OUT)) {
            text = text + " " + SMS_OPT_OUT;
        }
        return text;
    }

    /** The text with the 【signature】 in front (every SMS, notices too). */
    static String signed(String body, CampaignSettings s) {
        String text = body.strip();
        String signature = "【" + s.smsSignature() + "】";
        return text.startsWith(signature) ? text : signature + text;
    }
}
