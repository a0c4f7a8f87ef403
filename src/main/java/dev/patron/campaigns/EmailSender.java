package dev.patron.campaigns;

import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.io.UnsupportedEncodingException;
import java.lang.reflect.Method;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Properties;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.mail.MailAuthenticationException;
import org.springframework.mail.MailException;
import org.springframework.mail.javamail.JavaMailSenderImpl;
import org.springframework.mail.javamail.MimeMessageHelper;
import org.springframework.stereotype.Component;

/**
 * E-mail over SMTP (Spring's JavaMailSender on Jakarta Mail). The server and sender come from the
 * settings table, so an administrator can change them without a restart; credentials from
 * {@code patron.campaigns.smtp.username/password}. The Message-ID is derived from our message key, so
 * a receiving system can recognise a copy. Failures map to: connection refused, unknown host or
 * authentication failed → pause the channel; a 5xx on the recipient → give up on that address;
 * anything else (4xx, timeouts) → retry later.
 */
@Component
class EmailSender implements ChannelSender {

    private final SettingsStore settings;
    private final String username;
    private final String password;
    private volatile JavaMailSenderImpl mail;
    private volatile String mailKey = "";

    EmailSender(
            SettingsStore settings,
            @Value("${patron.campaigns.smtp.username:}") String username,
            @Value("${patron.campaigns.smtp.password:}") String password) {
        this.settings = settings;
        this.username = username;
        this.password = password;
    }

    @Override
    public Channel channel() {
        return Channel.EMAIL;
    }

    @Override
    public String send(Outgoing m) throws Failure {
        CampaignSettings s = settings.current();
        JavaMailSenderImpl sender = sender(s);
        String messageId = "<" + m.key() + "@patron.campaigns>";
        try {
            MimeMessage mime = new FixedIdMessage(sender.getSession(), messageId);
            MimeMessageHelper h = new MimeMessageHelper(mime, m.html() != null, StandardCharsets.UTF_8.name());
            h.setFrom(new InternetAddress(s.fromAddress(), s.senderName(), StandardCharsets.UTF_8.name()));
            h.setTo(m.to());
            h.setSubject(m.subject());
            if (m.html() != null) {
                h.setText(m.text(), m.html());
            } else {
                h.setText(m.text());
            }
            for (Map.Entry<String, String> e : m.headers().entrySet()) {
                mime.setHeader(e.getKey(), e.getValue());
            }
            sender.send(mime);
            return messageId;
        } catch (MessagingException | UnsupportedEncodingException e) {
            throw new Failure(Failure.Kind.RECIPIENT, "invalid message: " + e.getMessage(), e);
        } catch (MailAuthenticationException e) {
            throw new Failure(Failure.Kind.GATEWAY, "SMTP authentication failed: " + e.getMessage(), e);
        } catch (MailException e) {
            throw classify(e);
        }
    }

    static Failure classify(Throwable e) {
        for (Throwable t = e; t != null; t = next(t)) {
            if (t instanceof ConnectException
                    || t instanceof UnknownHostException
                    || t instanceof NoRouteToHostException) {
                return new Failure(Failure.Kind.GATEWAY, "SMTP server unreachable: " + t.getMessage(), e);
            }
            Integer code = returnCode(t);
            if (code != null && code >= 500 && code < 600 && t instanceof jakarta.mail.SendFailedException) {
                return new Failure(Failure.Kind.RECIPIENT, "SMTP " + code + ": " + t.getMessage(), e);
            }
        }
        return new Failure(Failure.Kind.TRANSIENT, String.valueOf(e.getMessage()), e);
    }

    private static Throwable next(Throwable t) {
        if (t instanceof org.springframework.mail.MailSendException m
                && !m.getFailedMessages().isEmpty()) {
            Exception first = m.getFailedMessages().values().iterator().next();
            if (first != t) {
                return first;
            }
        }
        if (t instanceof MessagingException m && m.getNextException() != null && m.getNextException() != t) {
            return m.getNextException();
        }
        return t.getCause() == t ? null : t.getCause();
    }

    /** The SMTP reply code of Angus Mail's SMTP exceptions, without depending on the implementation. */
    private static Integer returnCode(Throwable t) {
        try {
            Method m = t.getClass().getMethod("getReturnCode");
            return (Integer) m.invoke(t);
        } catch (ReflectiveOperationException | ClassCastException e) {
            return null;
        }
    }

    private JavaMailSenderImpl sender(CampaignSettings s) {
        String key = s.smtpHost() + ":" + s.smtpPort();
        JavaMailSenderImpl current = mail;
        if (current != null && key.equals(mailKey)) {
            return current;
        }
        synchronized (this) {
            if (mail == null || !key.equals(mailKey)) {
                JavaMailSenderImpl m = new JavaMailSenderImpl();
                m.setHost(s.smtpHost());
                m.setPort(s.smtpPort());
                m.setDefaultEncoding(StandardCharsets.UTF_8.name());
                Properties p = new Properties();
                p.put("mail.smtp.connectiontimeout", "5000");
                p.put("mail.smtp.timeout", "15000");
                p.put("mail.smtp.writetimeout", "15000");
                if (!username.isBlank()) {
                    m.setUsername(username);
                    m.setPassword(password);
                    p.put("mail.smtp.auth", "true");
                    p.put("mail.smtp.starttls.enable", "true");
                }
                m.setJavaMailProperties(p);
                mail = m;
                mailKey = key;
            }
            return mail;
        }
    }

    /** A MimeMessage whose Message-ID is ours rather than a random one made on save. */
    private static final class FixedIdMessage extends MimeMessage {
        private final String id;

        FixedIdMessage(Session session, String id) {
            super(session);
            this.id = id;
        }

        @Override
        protected void updateMessageID() throws MessagingException {
            setHeader("Message-ID", id);
        }
    }
}
