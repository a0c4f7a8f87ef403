package dev.patron.demo;

import dev.patron.members.MemberManagement;
import dev.patron.members.MemberSearch;
import dev.patron.members.MemberStatus;
import dev.patron.members.MemberSummary;
import dev.patron.organization.Brand;
import dev.patron.organization.Counter;
import dev.patron.organization.OrganizationManagement;
import dev.patron.sales.PaymentMethod;
import dev.patron.sales.ReturnCommand;
import dev.patron.sales.SaleCommand;
import dev.patron.sales.SaleOutcome;
import dev.patron.sales.SaleSource;
import dev.patron.sales.SalesManagement;
import dev.patron.sales.TrafficManagement;
import dev.patron.shared.web.PageQuery;
import dev.patron.shared.web.PageResult;
import java.math.BigDecimal;
import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.MonthDay;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.springframework.stereotype.Component;

/**
 * Demo sales: about a year of POS tickets for the demo members (and anonymous shoppers) at the demo
 * stores, with seasonality (weekends, 3·8 women's day, 618, the National Day golden week, Double-11,
 * Christmas and the run-up to the Spring Festival), brand preferences per member (each member's
 * favourite brands get most of their purchases), a skewed spend per member (a few frequent big
 * spenders, many occasional buyers, some who never came back) and partial returns of about 3% of
 * member tickets. Recorded through {@link SalesManagement} (source DEMO, with points), so every
 * ticket is validated and announced like a POS sale. Deterministic for a seed and a day.
 *
 * <p>Baskets carry planted associations ({@link #PATTERNS}: bags with belts, suits with shirts and
 * men's shoes, skincare with make-up and fragrance, sportswear with sports shoes, kids' wear with
 * toys, dresses with women's shoes and bags, coats with scarves), so that cross-sell mining finds
 * rules at its default thresholds: some tickets are a planned outfit, and a line of a pattern's
 * first category often brings the others; the companion brand is mostly a fixed partner of the
 * first line's brand (brand pairs). These draws come from their own random stream, so the dates,
 * members, stores and payments of the tickets are those of the plain generator.
 */
@Component
public class DemoSales {

    /** Spring Festival (Chinese New Year) days; the ten days before are peak shopping. */
    static final Set<LocalDate> SPRING_FESTIVAL = Set.of(
            LocalDate.of(2025, 1, 29), LocalDate.of(2026, 2, 17), LocalDate.of(2027, 2, 6), LocalDate.of(2028, 1, 26));

    private static final ZoneId ZONE = ZoneId.of("Asia/Shanghai");
    private static final int BATCH = 1000;

    /** Categories bought together: the first, then each of the others (leaf category codes of the demo tree). */
    static final String[][] PATTERNS = {
        {"BAGS-WOMEN", "BAGS-BELT"},
        {"BAGS-MEN", "BAGS-BELT"},
        {"MEN-SUIT", "MEN-SHIRT", "SHOES-MEN"},
        {"BEAUTY-SKIN", "BEAUTY-MAKEUP", "BEAUTY-FRAGRANCE"},
        {"SPORT-WEAR", "SHOES-SPORT"},
        {"KIDS-WEAR", "KIDS-TOY"},
        {"WOMEN-DRESS", "SHOES-WOMEN", "BAGS-WOMEN"},
        {"WOMEN-COAT", "ACC-SCARF"}
    };
    /** Percent of tickets that are a planned outfit (one pattern) instead of random lines. */
    static final int OUTFIT_PERCENT = 15;
    /** Percent chance that a pattern's first category brings its second, and each further one. */
    static final int SECOND_PERCENT = 65;

    static final int FURTHER_PERCENT = 35;
    /** Percent of companion lines whose brand is the fixed partner of the first line's brand. */
    static final int PARTNER_PERCENT = 75;

    private final SalesManagement sales;
    private final MemberManagement members;
    private final OrganizationManagement organization;
    private final TrafficManagement traffic;

    DemoSales(
            SalesManagement sales,
            MemberManagement members,
            OrganizationManagement organization,
            TrafficManagement traffic) {
        this.sales = sales;
        this.traffic = traffic;
        this.members = members;
        this.organization = organization;
    }

    /** What was generated. */
    public record Result(int tickets, int returns, long netFen) {}

    private record Member(
            long id,
            String store,
            LocalDate joined,
            List<String> favouriteBrands,
            double annualTickets,
            double dropout) {}

    /** Generates {@code months} months of sales up to yesterday; nothing when months is 0. */
    public Result generate(int seed, int months) {
        if (months <= 0) {
            return new Result(0, 0, 0);
        }
        Random random = new Random(seed * 131L + 3);
        LocalDate today = LocalDate.now(ZONE);
        LocalDate first = today.minusMonths(months);
        LocalDate last = today.minusDays(1);
        double[] cumulative = cumulativeWeights(first, last);

        Map<String, List<Counter>> countersByStore = new HashMap<>();
        for (int page = 0; ; page++) {
            PageResult<Counter> p =
                    organization.counters(new PageQuery(page, PageQuery.MAX_SIZE, null, "code", false), null, null);
            p.items().stream()
                    .filter(c -> "ACTIVE".equals(c.status()) && !c.brandCodes().isEmpty())
                    .forEach(c -> countersByStore
                            .computeIfAbsent(c.storeCode(), k -> new ArrayList<>())
                            .add(c));
            if (!p.hasNext()) {
                break;
            }
        }
        if (countersByStore.isEmpty()) {
            return new Result(0, 0, 0);
        }
        List<String> stores = new ArrayList<>(countersByStore.keySet());
        stores.sort(Comparator.naturalOrder());
        Map<String, Brand> brands = new HashMap<>();
        organization.allBrands().forEach(b -> brands.put(b.code(), b));
        Map<String, List<String>> brandsByCategory = new java.util.TreeMap<>();
        brands.values().stream()
                .filter(b -> b.categoryCode() != null && "ACTIVE".equals(b.status()))
                .forEach(b -> brandsByCategory
                        .computeIfAbsent(b.categoryCode(), k -> new ArrayList<>())
                        .add(b.code()));
        brandsByCategory.values().forEach(l -> l.sort(Comparator.naturalOrder()));
        Basket basket = new Basket(new Random(seed * 7919L + 17), brands, brandsByCategory);

        List<Member> buyers = new ArrayList<>();
        for (int page = 0; ; page++) {
            PageResult<MemberSummary> p = members.search(
                    new MemberSearch(null, null, null, MemberStatus.ACTIVE),
                    new PageQuery(page, PageQuery.MAX_SIZE, null, "id", false));
            for (MemberSummary m : p.items()) {
                String store = m.preferredStoreCode() != null && countersByStore.containsKey(m.preferredStoreCode())
                        ? m.preferredStoreCode()
                        : stores.get(random.nextInt(stores.size()));
                List<Counter> cs = countersByStore.get(store);
                List<String> favourites = new ArrayList<>();
                for (int f = 0; f < 2; f++) {
                    Counter c = cs.get(random.nextInt(cs.size()));
                    favourites.add(
                            c.brandCodes().get(random.nextInt(c.brandCodes().size())));
                }
                double r = random.nextDouble();
                double annual = random.nextInt(100) < 15 ? 0 : 0.6 + 22 * r * r * r; // skewed: few big buyers
                // customers lapse (the BG/NBD story): after each purchase a member may never come back
                double u = random.nextDouble();
                double dropout = 0.03 + 0.3 * u * u;
                buyers.add(new Member(m.id(), store, m.joinedOn(), favourites, annual, dropout));
            }
            if (!p.hasNext()) {
                break;
            }
        }

        List<SaleCommand> tickets = new ArrayList<>();
        int seq = 0;
        double years = months / 12.0;
        for (Member m : buyers) {
            int n = poisson(random, m.annualTickets() * years);
            List<LocalDate> dates = new ArrayList<>();
            for (int k = 0; k < n; k++) {
                LocalDate date = sampleDate(random, cumulative, first);
                if (m.joined() == null || !date.isBefore(m.joined())) { // a member on that day
                    dates.add(date);
                }
            }
            dates.sort(Comparator.naturalOrder());
            for (LocalDate date : dates) {
                String store = random.nextInt(100) < 85 ? m.store() : stores.get(random.nextInt(stores.size()));
                tickets.add(ticket(random, ++seq, store, date, m, countersByStore.get(store), brands, basket));
                if (random.nextDouble() < m.dropout()) {
                    break; // lapsed: no more purchases
                }
            }
        }
        int anonymous = (int) (tickets.size() * 0.6);
        for (int k = 0; k < anonymous; k++) {
            String store = stores.get(random.nextInt(stores.size()));
            tickets.add(ticket(
                    random,
                    ++seq,
                    store,
                    sampleDate(random, cumulative, first),
                    null,
                    countersByStore.get(store),
                    brands,
                    basket));
        }
        tickets.sort(Comparator.comparing(SaleCommand::occurredAt).thenComparing(SaleCommand::posTransactionId));
        long net = 0;
        for (int from = 0; from < tickets.size(); from += BATCH) {
            List<SaleCommand> chunk = tickets.subList(from, Math.min(tickets.size(), from + BATCH));
            for (SaleOutcome o : sales.record(chunk, true, SaleSource.DEMO, true)) {
                net += o.ticket().totalFen();
            }
        }
        recordTraffic(random, tickets);
        int returns = 0;
        for (SaleCommand t : tickets) {
            if ((t.memberId() == null) || random.nextInt(100) >= 3) {
                continue;
            }
            LocalDate on = t.businessDate().plusDays(1 + random.nextInt(14));
            if (on.isAfter(last)) {
                continue;
            }
            int line = 1 + random.nextInt(t.lines().size());
            SaleOutcome o = sales.recordReturn(new ReturnCommand(
                    t.storeCode(),
                    t.posTerminal(),
                    "R" + t.posTransactionId(),
                    on,
                    on.atTime(LocalTime.of(11, 0)).atZone(ZONE).toOffsetDateTime(),
                    t.cashier(),
                    null,
                    t.storeCode(),
                    t.posTransactionId(),
                    List.of(new ReturnCommand.Line(line, null, null)),
                    null));
            net += o.ticket().totalFen();
            returns++;
        }
        return new Result(tickets.size(), returns, net);
    }

    /** Daily footfall per store: the day's tickets at a conversion of 18-35% (per store), with noise. */
    private void recordTraffic(Random random, List<SaleCommand> tickets) {
        Map<String, Map<LocalDate, Integer>> perStore = new java.util.TreeMap<>();
        for (SaleCommand t : tickets) {
            perStore.computeIfAbsent(t.storeCode(), k -> new java.util.TreeMap<>())
                    .merge(t.businessDate(), 1, Integer::sum);
        }
        StringBuilder csv = new StringBuilder("store_code,business_date,visitors\n");
        perStore.forEach((store, days) -> {
            double conversion = 0.18 + random.nextDouble() * 0.17;
            days.forEach((day, count) -> csv.append(store)
                    .append(',')
                    .append(day)
                    .append(',')
                    .append(Math.round(count / conversion * (0.9 + random.nextDouble() * 0.2)))
                    .append('\n'));
        });
        traffic.importCsv(
                new java.io.ByteArrayInputStream(csv.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }

    private static SaleCommand ticket(
            Random random,
            int seq,
            String store,
            LocalDate date,
            Member member,
            List<Counter> counters,
            Map<String, Brand> brands,
            Basket basket) {
        boolean peak = isPromotion(date);
        int lines = 1 + (random.nextInt(100) < 45 ? 0 : random.nextInt(100) < 60 ? 1 : 1 + random.nextInt(3));
        List<SaleCommand.Line> out = new ArrayList<>();
        long total = 0;
        for (int l = 0; l < lines; l++) {
            Counter counter = counters.get(random.nextInt(counters.size()));
            String brand =
                    counter.brandCodes().get(random.nextInt(counter.brandCodes().size()));
            if (member != null && random.nextInt(100) < 65) {
                String fav = member.favouriteBrands()
                        .get(random.nextInt(member.favouriteBrands().size()));
                for (Counter c : counters) {
                    if (c.brandCodes().contains(fav)) {
                        counter = c;
                        brand = fav;
                        break;
                    }
                }
            }
            long base = basePriceYuan(brand);
            long price = Math.max(9, Math.round(base * (0.5 + random.nextDouble())) / 10 * 10 + 9) * 100;
            int qty = random.nextInt(100) < 80 ? 1 : 2;
            long gross = price * qty;
            long discount = peak
                    ? gross * (10 + random.nextInt(11)) / 100
                    : random.nextInt(100) < 20 ? gross * (5 + random.nextInt(6)) / 100 : 0;
            Brand b = brands.get(brand);
            out.add(new SaleCommand.Line(
                    "SKU-" + brand + "-" + (100 + random.nextInt(60)),
                    b == null ? brand : b.name() + "商品",
                    brand,
                    b == null ? null : b.categoryCode(),
                    counter.code(),
                    BigDecimal.valueOf(qty),
                    price,
                    discount,
                    null));
            total += gross - discount;
        }
        total = basket.plant(out, total, counters, peak);
        int p = random.nextInt(100);
        PaymentMethod method = p < 55
                ? PaymentMethod.MOBILE_PAY
                : p < 80
                        ? PaymentMethod.BANK_CARD
                        : p < 90 || member == null ? PaymentMethod.CASH : PaymentMethod.STORED_VALUE;
        OffsetDateTime at = date.atTime(LocalTime.of(10, 0).plusMinutes(random.nextInt(12 * 60)))
                .atZone(ZONE)
                .toOffsetDateTime();
        return new SaleCommand(
                store,
                "POS-0" + (1 + random.nextInt(6)),
                "D" + date.format(DateTimeFormatter.BASIC_ISO_DATE) + "-" + seq,
                date,
                at,
                "C" + (100 + random.nextInt(40)),
                member == null ? null : member.id(),
                null,
                null,
                null,
                null,
                "CNY",
                out,
                List.of(new SaleCommand.Payment(method, total, null)),
                null);
    }

    /** Plants the {@link #PATTERNS} into baskets, from its own random stream. */
    static final class Basket {
        private final Random random;
        private final Map<String, Brand> brands;
        private final Map<String, List<String>> brandsByCategory;

        Basket(Random random, Map<String, Brand> brands, Map<String, List<String>> brandsByCategory) {
            this.random = random;
            this.brands = brands;
            this.brandsByCategory = brandsByCategory;
        }

        /** Rewrites {@code lines} in place (an outfit, or companions added); returns the new net total. */
        long plant(List<SaleCommand.Line> lines, long total, List<Counter> counters, boolean peak) {
            if (random.nextInt(100) < OUTFIT_PERCENT) {
                String[] pattern = PATTERNS[random.nextInt(PATTERNS.length)];
                lines.clear();
                total = 0;
                String anchor = null;
                for (int i = 0; i < pattern.length; i++) {
                    if (i > 0 && random.nextInt(100) >= (i == 1 ? 90 : 50)) {
                        continue;
                    }
                    SaleCommand.Line l = line(pattern[i], anchor, counters, peak);
                    if (i == 0) {
                        anchor = l.brandCode();
                    }
                    lines.add(l);
                    total += net(l);
                }
                return total;
            }
            List<SaleCommand.Line> original = List.copyOf(lines);
            Set<String> present = new java.util.HashSet<>();
            original.forEach(l -> present.add(l.categoryCode()));
            for (SaleCommand.Line l : original) {
                for (String[] pattern : PATTERNS) {
                    if (!pattern[0].equals(l.categoryCode())) {
                        continue;
                    }
                    for (int i = 1; i < pattern.length; i++) {
                        if (present.contains(pattern[i])
                                || random.nextInt(100) >= (i == 1 ? SECOND_PERCENT : FURTHER_PERCENT)) {
                            continue;
                        }
                        SaleCommand.Line c = line(pattern[i], l.brandCode(), counters, peak);
                        lines.add(c);
                        present.add(pattern[i]);
                        total += net(c);
                    }
                }
            }
            return total;
        }

        private static long net(SaleCommand.Line l) {
            return l.unitPriceFen() * l.quantity().longValue() - l.discountFen();
        }

        /**
         * A line of {@code category}: the partner brand of {@code anchor} mostly, else one of the
         * category's brands sold in the store (or anywhere in the chain: a line without a counter).
         */
        private SaleCommand.Line line(String category, String anchor, List<Counter> counters, boolean peak) {
            List<String> all = brandsByCategory.getOrDefault(category, List.of());
            List<String> here = new ArrayList<>();
            for (Counter c : counters) {
                for (String b : c.brandCodes()) {
                    if (all.contains(b) && !here.contains(b)) {
                        here.add(b);
                    }
                }
            }
            String brand = null;
            if (!all.isEmpty()) {
                if (anchor != null && random.nextInt(100) < PARTNER_PERCENT) {
                    brand = all.get(Math.floorMod(anchor.hashCode() * 31 + category.hashCode(), all.size()));
                } else if (!here.isEmpty()) {
                    brand = here.get(random.nextInt(here.size()));
                } else {
                    brand = all.get(random.nextInt(all.size()));
                }
            }
            String counter = null;
            for (Counter c : counters) {
                if (brand != null && c.brandCodes().contains(brand)) {
                    counter = c.code();
                    break;
                }
            }
            long base = basePriceYuan(brand != null ? brand : category);
            long price = Math.max(9, Math.round(base * (0.5 + random.nextDouble())) / 10 * 10 + 9) * 100;
            long discount = peak ? price * (10 + random.nextInt(11)) / 100 : 0;
            Brand b = brand == null ? null : brands.get(brand);
            return new SaleCommand.Line(
                    "SKU-" + (brand != null ? brand : category) + "-" + (100 + random.nextInt(60)),
                    b == null ? "搭配商品" : b.name() + "商品",
                    brand,
                    category,
                    counter,
                    BigDecimal.ONE,
                    price,
                    discount,
                    null);
        }
    }

    /** A brand's typical unit price in yuan, stable per brand: from 39 to about 1,500. */
    static long basePriceYuan(String brand) {
        int h = Math.abs(brand.hashCode() % 1000);
        return 39 + Math.round(Math.pow(h / 1000.0, 2.2) * 1460);
    }

    static boolean isPromotion(LocalDate d) {
        MonthDay md = MonthDay.from(d);
        return md.equals(MonthDay.of(11, 11))
                || md.equals(MonthDay.of(6, 18))
                || md.equals(MonthDay.of(3, 8))
                || (d.getMonthValue() == 10 && d.getDayOfMonth() <= 7)
                || SPRING_FESTIVAL.stream().anyMatch(sf -> !d.isAfter(sf) && d.isAfter(sf.minusDays(10)));
    }

    /** Relative shopping intensity of a day. */
    static double weight(LocalDate d) {
        double w = d.getDayOfWeek() == DayOfWeek.SATURDAY || d.getDayOfWeek() == DayOfWeek.SUNDAY ? 1.5 : 1.0;
        MonthDay md = MonthDay.from(d);
        if (md.equals(MonthDay.of(11, 11))) {
            w *= 5;
        } else if (d.getMonthValue() == 11 && d.getDayOfMonth() < 11) {
            w *= 1.3;
        }
        if (md.equals(MonthDay.of(6, 18))) {
            w *= 2.5;
        }
        if (md.equals(MonthDay.of(3, 8))) {
            w *= 1.8;
        }
        if (d.getMonthValue() == 10 && d.getDayOfMonth() <= 7) {
            w *= 1.8;
        }
        if (md.equals(MonthDay.of(12, 24)) || md.equals(MonthDay.of(12, 25))) {
            w *= 1.6;
        }
        for (LocalDate sf : SPRING_FESTIVAL) {
            if (d.equals(sf)) {
                w *= 0.4;
            } else if (d.isBefore(sf) && d.isAfter(sf.minusDays(11))) {
                w *= 2.2;
            }
        }
        return w;
    }

    private static double[] cumulativeWeights(LocalDate first, LocalDate last) {
        int days = (int) (last.toEpochDay() - first.toEpochDay()) + 1;
        double[] c = new double[days];
        double sum = 0;
        for (int i = 0; i < days; i++) {
            sum += weight(first.plusDays(i));
            c[i] = sum;
        }
        return c;
    }

    private static LocalDate sampleDate(Random random, double[] cumulative, LocalDate first) {
        double x = random.nextDouble() * cumulative[cumulative.length - 1];
        int i = java.util.Arrays.binarySearch(cumulative, x);
        return first.plusDays(i >= 0 ? i : -i - 1);
    }

    private static int poisson(Random random, double mean) {
        if (mean <= 0) {
            return 0;
        }
        double l = Math.exp(-Math.min(mean, 60));
        int k = 0;
        double p = 1;
        do {
            k++;
            p *= random.nextDouble();
        } while (p > l);
        return k - 1;
    }
}
