package dev.patron.insights;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patron.ApiClient;
import dev.patron.TestData;
import dev.patron.sales.SalesFixtures;
import java.io.IOException;
import java.math.BigDecimal;
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
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The CDNOW sample of Fader, Hardie &amp; Lee (2005) (/work/shared/data/CDNOW_sample.txt: 2,357
 * customers, 6,919 purchase lines, 1997-01-01 to 1998-06-30) loaded the way a chain would take
 * over its history: the customers through the member import (CSV: name, phone, preferred store),
 * the purchases through the historical sales import (one ticket per line, the member named by
 * phone, one line of one "CD" at the line's dollar value in fen), both over the real API.
 *
 * <p>Patron refuses business dates before 2000, so every date moves forward by {@link #SHIFT_DAYS}
 * (a whole number of days: 1997-01-01 becomes 2003-01-01). The model counts days between
 * purchases, so the shift changes nothing in x, t_x or T. Loaded once per test JVM.
 */
public final class CdnowSample {

    static final Path FILE = Path.of("src/test/resources/data/CDNOW_sample.txt");
    static final LocalDate ORIGINAL_START = LocalDate.of(1997, 1, 1);
    static final LocalDate SHIFTED_START = LocalDate.of(2003, 1, 1);
    static final long SHIFT_DAYS = ChronoUnit.DAYS.between(ORIGINAL_START, SHIFTED_START);
    /** The paper's calibration window, shifted: 39 weeks, 1997-01-01 .. 1997-09-30. */
    public static final LocalDate CALIBRATION_START = shift(LocalDate.of(1997, 1, 1));

    public static final LocalDate CALIBRATION_END = shift(LocalDate.of(1997, 9, 30));

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static CdnowSample loaded;

    public final SalesFixtures fx;
    /** Sample customer id (e.g. "0001") to its phone and member id. */
    final Map<String, String> phones;

    final List<String[]> lines;
    private final ApiClient admin;

    private CdnowSample(SalesFixtures fx, ApiClient admin, Map<String, String> phones, List<String[]> lines) {
        this.fx = fx;
        this.admin = admin;
        this.phones = phones;
        this.lines = lines;
    }

    /** The member id of a sample customer, found by phone through the member lookup. */
    public long memberId(String sampleId) {
        var found = admin.get("/api/v1/members/lookup?phone=" + phones.get(sampleId));
        assertThat(found.status()).as(found.raw()).isEqualTo(200);
        return found.json().path("member").path("id").asLong();
    }

    static LocalDate shift(LocalDate original) {
        return original.plusDays(SHIFT_DAYS);
    }

    public static synchronized CdnowSample load(int port) throws Exception {
        if (loaded != null) {
            return loaded;
        }
        ApiClient admin = new ApiClient(port, TestData.BOOTSTRAP_API_KEY);
        SalesFixtures fx = new SalesFixtures(admin);
        List<String[]> lines = Files.readAllLines(FILE).stream()
                .filter(l -> !l.isBlank())
                .map(l -> l.trim().split("\\s+"))
                .toList();

        // 1. the customers, through the member import
        Map<String, String> phones = new LinkedHashMap<>();
        StringBuilder members = new StringBuilder("name,phone,store\n");
        for (String[] f : lines) {
            phones.computeIfAbsent(f[1], id -> {
                String phone = SalesFixtures.phone();
                members.append("CDNOW ")
                        .append(id)
                        .append(',')
                        .append(phone)
                        .append(',')
                        .append(fx.store)
                        .append('\n');
                return phone;
            });
        }
        JsonNode preview = upload(port, "/api/v1/member-imports?fileName=cdnow-members.csv", members.toString());
        var run = admin.post(
                "/api/v1/member-imports/" + preview.path("jobId").asLong() + "/run",
                Map.of(
                        "mapping",
                        Map.of("name", "name", "phone", "phone", "store", "preferredStoreCode"),
                        "mode",
                        "ALL_OR_NOTHING"));
        assertThat(run.status()).as(run.raw()).isEqualTo(200);
        assertThat(run.json().path("status").asString()).isEqualTo("DONE");
        assertThat(run.json().path("createdRows").asLong()).isEqualTo(phones.size());

        // 2. the purchases, through the historical sales import
        StringBuilder sales = new StringBuilder(
                "store_code,pos_transaction_id,business_date,phone,sku,name,quantity,unit_price_fen\n");
        int n = 0;
        for (String[] f : lines) {
            LocalDate day = shift(LocalDate.parse(f[2], DateTimeFormatter.BASIC_ISO_DATE));
            long fen = new BigDecimal(f[4]).movePointRight(2).longValueExact();
            sales.append(fx.store)
                    .append(",CDNOW-")
                    .append(f[1])
                    .append('-')
                    .append(++n)
                    .append(',')
                    .append(day)
                    .append(',')
                    .append(phones.get(f[1]))
                    .append(",CD,CDs ×")
                    .append(f[3])
                    .append(",1,")
                    .append(fen)
                    .append('\n');
        }
        JsonNode job = importSales(port, admin, "cdnow-sales.csv", sales.toString());
        assertThat(job.path("failedTickets").asLong(0)).as(job.toString()).isZero();

        loaded = new CdnowSample(fx, admin, phones, lines);
        return loaded;
    }

    /**
     * Makes sure a value model is in use: when none is, fits the paper's calibration window of the
     * (loaded) sample as an ANALYST; returns the model in use.
     */
    public static synchronized JsonNode ensureFitted(int port) throws Exception {
        CdnowSample sample = load(port);
        ApiClient admin = new ApiClient(port, TestData.BOOTSTRAP_API_KEY);
        var current = admin.get("/api/v1/insights/value-model");
        if (current.status() == 200) {
            return current.json();
        }
        var res = sample.fx
                .as(dev.patron.shared.security.Role.ANALYST)
                .post(
                        "/api/v1/insights/value-model/fit",
                        Map.of(
                                "calibrationStart", CALIBRATION_START.toString(),
                                "calibrationEnd", CALIBRATION_END.toString()));
        assertThat(res.status()).as(res.raw()).isEqualTo(200);
        return res.json();
    }

    /** Uploads and runs a sales CSV through /api/v1/sales-imports; returns the finished job. */
    public static JsonNode importSales(int port, ApiClient admin, String fileName, String csv) throws Exception {
        JsonNode preview = upload(port, "/api/v1/sales-imports?fileName=" + fileName, csv);
        long jobId = preview.path("jobId").asLong();
        return SalesFixtures.runImportToDone(admin, jobId, Duration.ofMinutes(3));
    }

    private static JsonNode upload(int port, String path, String csv) throws IOException, InterruptedException {
        HttpRequest req = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .header("Authorization", "Bearer " + TestData.BOOTSTRAP_API_KEY)
                .header("Accept-Language", "en")
                .header("Content-Type", "text/csv")
                .POST(HttpRequest.BodyPublishers.ofString(csv, StandardCharsets.UTF_8))
                .build();
        HttpResponse<String> res = HttpClient.newHttpClient().send(req, HttpResponse.BodyHandlers.ofString());
        assertThat(res.statusCode()).as(res.body()).isEqualTo(201);
        return JSON.readTree(res.body());
    }
}
