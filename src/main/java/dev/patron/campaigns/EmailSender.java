package dev.patron.campaigns;

import jakarta.activation.FileTypeMap;
import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.MessagingException;
import jakarta.mail.SendFailedException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.util.StreamProvider;
import java.io.UnsupportedEncodingException;
import java.lang.reflect.Method;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Properties;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.mail.javamail.ConfigurableMimeFileTypeMap;
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
    /** A connection unused for longer is checked with NOOP before the next message. */
    private static final long IDLE_CHECK_NANOS = 5_000_000_000L;

    static {
        // Jakarta Mail 2.1 looks its StreamProvider up with a ServiceLoader on every multipart, body
        // part and encoded header (jakartaee/mail-api#861, open): in a Spring Boot jar that scan of
        // the nested jars cost about 10 ms of CPU per e-mail, most of the sending time. Naming the
        // implementation makes the lookup a loaded-class lookup. An operator's own setting wins.
        if (System.getProperty(StreamProvider.class.getName()) == null) {
            System.setProperty(StreamProvider.class.getName(), "org.eclipse.angus.mail.util.MailStreamProvider");
        }
    }

    /**
     * The file-type map of every message: Spring's helper otherwise builds one per message, reading
     * and parsing mime.types each time (the map is read-only once built).
     */
    private static final FileTypeMap FILE_TYPES = fileTypes();

    private volatile JavaMailSenderImpl mail;
    private Transport transport;
    private JavaMailSenderImpl transportSender;
    private long lastUse;
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
        MimeMessage mime;
        try {
            mime = new FixedIdMessage(sender.getSession(), messageId);
            MimeMessageHelper h = new Helper(mime, m.html() != null);
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
            mime.saveChanges();
        } catch (MessagingException | UnsupportedEncodingException e) {
            throw new Failure(Failure.Kind.RECIPIENT, "invalid message: " + e.getMessage(), e);
        }
        synchronized (this) {
            try {
                Transport t = connected(sender);
                t.sendMessage(mime, mime.getAllRecipients());
                lastUse = System.nanoTime();
                return messageId;
            } catch (AuthenticationFailedException e) {
                close();
                throw new Failure(Failure.Kind.GATEWAY, "SMTP authentication failed: " + e.getMessage(), e);
            } catch (MessagingException e) {
                // a rejected recipient leaves the session usable; anything else may not have: start afresh
                if (!(e instanceof SendFailedException)) {
                    close();
                }
                throw classify(e);
            }
        }
    }

    /**
     * The open SMTP connection, opened on first use: one connection carries the messages of a batch
     * and the next ones (RSET between messages is the server's business) instead of a TCP and SMTP
     * handshake per message. After a pause it is checked with NOOP first (servers close idle
     * connections), and replaced when closed.
     */
    private Transport connected(JavaMailSenderImpl sender) throws MessagingException {
        if (transport != null
                && (transportSender != sender
                        || System.nanoTime() - lastUse > IDLE_CHECK_NANOS && !transport.isConnected())) {
            close();
        }
        if (transport == null) {
            Transport t = sender.getSession().getTransport("smtp");
            t.connect(sender.getHost(), sender.getPort(), sender.getUsername(), sender.getPassword());
            transport = t;
            transportSender = sender;
        }
        return transport;
    }

    /** Closes the SMTP connection (after a batch, a failure or a change of server); the next send reconnects. */
    @Override
    public synchronized void close() {
        Transport t = transport;
        transport = null;
        transportSender = null;
        if (t != null) {
            try {
                t.close();
            } catch (MessagingException e) {
                // the connection is gone either way
            }
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

    private static FileTypeMap fileTypes() {
        ConfigurableMimeFileTypeMap map = new ConfigurableMimeFileTypeMap();
        map.afterPropertiesSet();
        return map;
    }

    /** Spring's helper with the shared file-type map. */
    private static final class Helper extends MimeMessageHelper {
        Helper(MimeMessage mime, boolean multipart) throws MessagingException {
            super(mime, multipart, StandardCharsets.UTF_8.name());
        }

        @Override
        protected FileTypeMap getDefaultFileTypeMap(MimeMessage mimeMessage) {
            return FILE_TYPES;
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
