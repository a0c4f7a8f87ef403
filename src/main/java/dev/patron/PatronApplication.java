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
        SpringApplication app = new SpringApplication(PatronApplication.class);
        if (args.length > 0 && DemoCommand.NAME.equals(args[0])) {
            app.setWebApplicationType(WebApplicationType.NONE);
            app.setAdditionalProfiles(DemoCommand.NAME);
        }
        var context = app.run(args);
        if (args.length > 0 && DemoCommand.NAME.equals(args[0])) {
            System.exit(SpringApplication.exit(context));
        }
    }
}
