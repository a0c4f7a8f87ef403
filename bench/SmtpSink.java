import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetup;
import jakarta.mail.internet.MimeMessage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A local SMTP sink for bench/campaigns.sh: GreenMail (from ~/.m2) on 127.0.0.1:PORT. When the file
 * DIR/dump appears it writes the tracking links of the received mails (open pixels and clicks, one
 * URL a line) to DIR/urls.txt and the count to DIR/count.txt, then deletes DIR/dump.
 *
 *   java -cp <greenmail + jakarta.mail> bench/SmtpSink.java PORT DIR
 */
public class SmtpSink {
    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        Path dir = Path.of(args[1]);
        GreenMail mail = new GreenMail(new ServerSetup(port, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        mail.start();
        System.out.println("SMTP sink on 127.0.0.1:" + port);
        Pattern link = Pattern.compile("(https?://[^\\s\"<>]+/t/[oc]/[A-Za-z0-9_-]+)");
        while (true) {
            Path dump = dir.resolve("dump");
            if (Files.exists(dump)) {
                MimeMessage[] received = mail.getReceivedMessages();
                List<String> urls = new ArrayList<>();
                for (MimeMessage m : received) {
                    String body = GreenMailUtil.getBody(m).replace("=\r\n", "").replace("=\n", "").replace("=3D", "=");
                    Matcher x = link.matcher(body);
                    while (x.find()) {
                        urls.add(x.group(1));
                    }
                }
                Files.write(dir.resolve("urls.txt"), urls);
                Files.writeString(dir.resolve("count.txt"), Integer.toString(received.length));
                Files.delete(dump);
            }
            Thread.sleep(200);
        }
    }
}
