package dev.patron.segments;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patron.ApiClient;
import dev.patron.TestData;
import dev.patron.sales.SalesFixtures;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * The CDNOW master file (../shared/data/CDNOW_master.txt, see its README: 69,659 purchase lines of
 * 23,570 customers, 1997-01-01 to 1998-06-30) loaded through Patron's own imports: the customers as
 * members by the member CSV import (phone {@code 188} + a per-load number + the customer id, external
 * id {@code cdnow<n>:<id>}), then every line as a one-line SALE ticket of that member (by Patron
 * member id) by the sales CSV import, in a
 * store of its own so that RFM can be computed over exactly these members ({@code storeId}).
 *
 * <p>Sales before 2000 are refused by the import, so dates are shifted by {@link #YEARS} years:
 * 1997 → 2025, 1998 → 2026. Neither pair of years has a 29 February, so every day difference —
 * recency and the distinct purchase days — is the same as in the original. One load per test JVM.
 */
public final class CdnowMaster {

    public static final Path FILE = Path.of("src/test/resources/data/CDNOW_master.txt");
    public static final int YEARS = 28;
    /** The original as-of day of the data set and the same day in Patron. */
    public static final LocalDate AS_OF_ORIGINAL = LocalDate.of(1998, 6, 30);

    public static final LocalDate AS_OF = AS_OF_ORIGINAL.plusYears(YEARS);

    /** One purchase line: customer id, original date, CDs, dollar value in cents. */
    public record Line(int customer, LocalDate date, int cds, long cents) {}

    private static CdnowMaster loaded;

    public final List<Line> lines;
    public final long storeId;
    public final String storeCode;
    /** CDNOW customer id → Patron member id. */
    public final Map<Integer, Long> members;

    private CdnowMaster(List<Line> lines, long storeId, String storeCode, Map<Integer, Long> members) {
        this.lines = lines;
        this.storeId = storeId;
        this.storeCode = storeCode;
        this.members = members;
    }

    /** The raw file, parsed in plain Java. */
    public static List<Line> read() {
        DateTimeFormatter ymd = DateTimeFormatter.BASIC_ISO_DATE;
        List<Line> out = new ArrayList<>(70_000);
        try {
            for (String row : Files.readAllLines(FILE, StandardCharsets.US_ASCII)) {
                String[] f = row.trim().split("\\s+");
                if (f.length < 4 || !f[0].matches("\\d+")) {
                    continue; // header
                }
                out.add(new Line(
                        Integer.parseInt(f[0]),
                        LocalDate.parse(f[1], ymd),
                        Integer.parseInt(f[2]),
                        new java.math.BigDecimal(f[3]).movePointRight(2).longValueExact()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    /** Loads the file once per JVM through the member and sales imports; later calls return the same load. */
    public static synchronized CdnowMaster load(int port, JdbcClient jdbc) {
        if (loaded == null) {
            loaded = importAll(port, jdbc);
        }
        return loaded;
    }

    private static CdnowMaster importAll(int port, JdbcClient jdbc) {
        ApiClient admin = new ApiClient(port, TestData.BOOTSTRAP_API_KEY);
        SalesFixtures fx = new SalesFixtures(admin);
        long storeId = jdbc.sql("select id from organization.v_store where code = ?")
                .param(fx.store)
                .query(Long.class)
                .single();
        List<Line> lines = read();
        String nonce = String.format("%03d", ThreadLocalRandom.current().nextInt(1000));
        String system = "cdnow" + nonce;

        StringBuilder members = new StringBuilder("name,phone,external_id\n");
        lines.stream()
                .mapToInt(Line::customer)
                .distinct()
                .sorted()
                .forEach(c -> members.append("CDNOW ")
                        .append(c)
                        .append(',')
                        .append(phone(nonce, c))
                        .append(',')
                        .append(c)
                        .append('\n'));
        JsonNode upload = upload(port, "/api/v1/member-imports?fileName=cdnow-members.csv", members.toString());
        var run = admin.post(
                "/api/v1/member-imports/" + upload.path("jobId").asLong() + "/run",
                Map.of(
                        "mapping",
                        Map.of("name", "name", "phone", "phone", "external_id", "externalId:" + system),
                        "mode",
                        "ALL_OR_NOTHING"));
        assertThat(run.status()).as(run.raw()).isEqualTo(200);
        assertThat(run.json().path("createdRows").asLong()).isEqualTo(23_570);

        // the members' Patron ids by their CDNOW id, then every line as a ticket naming its member by id
        Map<Integer, Long> ids = new HashMap<>();
        jdbc.sql("select value, member_id from members.v_identifier where kind = 'EXTERNAL' and system = ?")
                .param(system)
                .query(rs -> {
                    ids.put(Integer.parseInt(rs.getString(1)), rs.getLong(2));
                });
        assertThat(ids).hasSize(23_570);
        StringBuilder sales = new StringBuilder(
                "store_code,pos_transaction_id,business_date,member_id,sku,name,quantity,unit_price_fen,payment_method\n");
        for (int i = 0; i < lines.size(); i++) {
            Line l = lines.get(i);
            sales.append(fx.store)
                    .append(",CD")
                    .append(i + 1)
                    .append(',')
                    .append(l.date().plusYears(YEARS))
                    .append(',')
                    .append(ids.get(l.customer()))
                    .append(",CD,")
                    .append(l.cds())
                    .append(" CDs,1,")
                    .append(l.cents())
                    .append(",OTHER\n");
        }
        JsonNode job = upload(port, "/api/v1/sales-imports?fileName=cdnow-sales.csv", sales.toString());
        long jobId = job.path("jobId").asLong();
        SalesFixtures.runImportToDone(admin, jobId, Duration.ofSeconds(120));

        long tickets = jdbc.sql("select count(*) from sales.v_sale where store_id = ?")
                .param(storeId)
                .query(Long.class)
                .single();
        assertThat(tickets).isEqualTo(lines.size());
        return new CdnowMaster(lines, storeId, fx.store, ids);
    }

    private static String phone(String nonce, int customer) {
        return "188" + nonce + String.format("%05d", customer);
    }

    private static JsonNode upload(int port, String path, String csv) {
        HttpRequest req = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .header("Authorization", "Bearer " + TestData.BOOTSTRAP_API_KEY)
                .header("Accept-Language", "en")
                .header("Content-Type", "text/csv")
                .POST(HttpRequest.BodyPublishers.ofString(csv, StandardCharsets.UTF_8))
                .build();
        try {
            HttpResponse<String> res = HttpClient.newHttpClient().send(req, HttpResponse.BodyHandlers.ofString());
            assertThat(res.statusCode()).as(res.body()).isEqualTo(201);
            return tools.jackson.databind.json.JsonMapper.builder().build().readTree(res.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
