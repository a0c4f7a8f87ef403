package dev.patron.demo;

import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.context.annotation.Profile;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

/**
 * {@code demo [--seed N] [--stores N] [--counters N] [--brands N] [--members N] [--sales-months N] [--staff-password P]}: fills an
 * empty database with a demo chain. The same seed gives the same data.
 */
@Component
@Profile(DemoCommand.NAME)
@Order(10)
public class DemoCommand implements ApplicationRunner {

    public static final String NAME = "demo";
    private static final Logger log = LoggerFactory.getLogger(DemoCommand.class);
    private static final List<String> OPTIONS =
            List.of("seed", "stores", "counters", "brands", "staff-password", "members", "sales-months");

    private final DemoGenerator generator;
    private final DemoMembers members;
    private final DemoSales sales;
    private final dev.patron.sales.SalesFeed feed;

    DemoCommand(DemoGenerator generator, DemoMembers members, DemoSales sales, dev.patron.sales.SalesFeed feed) {
        this.generator = generator;
        this.members = members;
        this.sales = sales;
        this.feed = feed;
    }

    @Override
    public void run(ApplicationArguments args) {
        for (String name : args.getOptionNames()) {
            if (!OPTIONS.contains(name) && !name.contains(".")) { // a.b.c options are configuration properties
                throw new IllegalArgumentException(
                        "Unknown demo option --" + name + "; known options: --" + String.join(", --", OPTIONS));
            }
        }
        DemoGenerator.Settings settings = new DemoGenerator.Settings(
                intOption(args, "seed", 7),
                intOption(args, "stores", 20),
                intOption(args, "counters", 150),
                intOption(args, "brands", 80),
                stringOption(args, "staff-password"));
        DemoGenerator.Result result = generator.generate(settings);
        log.info(
                "Demo data created (seed {}): {} regions, {} stores, {} counters, {} brands, {} categories, {} staff accounts. "
                        + "Staff log in with the password '{}'.",
                settings.seed(),
                result.regions(),
                result.stores(),
                result.counters(),
                result.brands(),
                result.categories(),
                result.staff(),
                result.staffPassword());
        long created = members.generate(settings.seed(), intOption(args, "members", 1000));
        log.info("Demo members created: {}", created);
        DemoSales.Result sold = sales.generate(settings.seed(), intOption(args, "sales-months", 12));
        log.info(
                "Demo sales created: {} tickets, {} returns, net {} yuan",
                sold.tickets(),
                sold.returns(),
                java.math.BigDecimal.valueOf(sold.netFen(), 2).toPlainString());
        // points, tiers, KPIs and facts of the demo sales are applied by the sales feed's workers: let
        // them finish before the command exits (whatever is left would be applied at the next start)
        long deadline = System.nanoTime() + java.time.Duration.ofMinutes(10).toNanos();
        while (!feed.drained() && System.nanoTime() < deadline) {
            java.util.concurrent.locks.LockSupport.parkNanos(
                    java.time.Duration.ofMillis(200).toNanos());
        }
        log.info(
                "Demo sales applied to points, tiers, KPIs and member facts: {}",
                feed.drained() ? "all" : feed.pending());
    }

    private static int intOption(ApplicationArguments args, String name, int fallback) {
        List<String> values = args.getOptionValues(name);
        if (values == null || values.isEmpty()) {
            return fallback;
        }
        try {
            int v = Integer.parseInt(values.get(0).trim());
            if (v < 0) {
                throw new NumberFormatException();
            }
            return v;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    "--" + name + " must be a whole number >= 0, not '" + values.get(0) + "'");
        }
    }

    private static String stringOption(ApplicationArguments args, String name) {
        List<String> values = args.getOptionValues(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }
}
