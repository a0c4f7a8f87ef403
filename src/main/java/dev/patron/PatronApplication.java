package dev.patron;

import dev.patron.demo.DemoCommand;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.modulith.Modulithic;
import org.springframework.scheduling.annotation.EnableScheduling;

/**
 * Patron, a membership CRM for retail and service chains. {@code java -jar patron.jar} serves the
 * console and API; {@code java -jar patron.jar demo --seed 7} fills an empty database with a demo
 * chain and exits.
 */
@SpringBootApplication
@ConfigurationPropertiesScan
@EnableScheduling
@Modulithic(sharedModules = "shared")
public class PatronApplication {

    public static void main(String[] args) {
        var context = application(args).run(args);
        if (isCommand(args)) {
            System.exit(SpringApplication.exit(context));
        }
    }

    /** The application for these arguments: the web server, or a one-off command such as {@code demo}. */
    public static SpringApplication application(String[] args) {
        SpringApplication app = new SpringApplication(PatronApplication.class);
        if (isCommand(args)) {
            app.setWebApplicationType(WebApplicationType.NONE);
            app.setAdditionalProfiles(DemoCommand.NAME);
        }
        return app;
    }

    private static boolean isCommand(String[] args) {
        return args.length > 0 && DemoCommand.NAME.equals(args[0]);
    }
}
