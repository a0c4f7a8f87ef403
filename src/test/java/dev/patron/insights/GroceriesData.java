package dev.patron.insights;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patron.ApiClient;
import dev.patron.TestData;
import dev.patron.sales.SalesFixtures;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The Groceries data (arules; /work/shared/data/groceries.csv, 9,835 baskets, 169 items) loaded the
 * way a chain would: each item becomes a category through the organization API, then every basket
 * becomes one anonymous SALE ticket of a new store through Patron's historical sales import (one
 * line per item, its category the item), over real HTTP.
 */
public final class GroceriesData {

    static final Path FILE = Path.of("src/test/resources/data/groceries.csv");
    static final String BUSINESS_DATE = "2026-10-15";

    public final String store = TestData.unique("GRO");
    /** Category code by item name (as in the file, trimmed). */
    public final Map<String, String> categories = new LinkedHashMap<>();

    public final int baskets;

    private GroceriesData(ApiClient admin, int port) throws IOException, InterruptedException {
        List<String> lines = Files.readAllLines(FILE, StandardCharsets.UTF_8);
        String region = TestData.unique("R");
        created(admin.post("/api/v1/regions", Map.of("code", region, "name", "超市区")));
        created(admin.post(
                "/api/v1/stores", Map.of("code", store, "name", "Groceries " + store, "regionCode", region)));
        for (String line : lines) {
            for (String item : line.split(",")) {
                String name = item.strip();
                if (!name.isEmpty() && !categories.containsKey(name)) {
                    String code = TestData.unique("GC");
                    created(admin.post("/api/v1/categories", Map.of("code", code, "name", name)));
                    categories.put(name, code);
                }
            }
        }
        StringBuilder csv = new StringBuilder(
                "store_code,pos_transaction_id,business_date,line_no,sku,name,category_code,quantity,unit_price_fen\n");
        int ticket = 0;
        for (String line : lines) {
            if (line.isBlank()) {
                continue;
            }
            ticket++;
            int no = 0;
            for (String item : line.split(",")) {
                String name = item.strip();
                String code = categories.get(name);
                csv.append(store)
                        .append(",G")
                        .append(ticket)
                        .append(',')
                        .append(BUSINESS_DATE)
                        .append(',')
                        .append(++no)
                        .append(',')
                        .append(code)
                        .append(",\"")
                        .append(name)
                        .append("\",")
                        .append(code)
                        .append(",1,100\n");
            }
        }
        this.baskets = ticket;
        HttpResponse<String> upload = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create(
                                        "http://localhost:" + port + "/api/v1/sales-imports?fileName=groceries.csv"))
                                .header("Authorization", "Bearer " + TestData.BOOTSTRAP_API_KEY)
                                .header("Content-Type", "text/csv")
                                .POST(HttpRequest.BodyPublishers.ofString(csv.toString(), StandardCharsets.UTF_8))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(upload.statusCode()).as(upload.body()).isEqualTo(201);
        long job = JsonMapper.builder()
                .build()
                .readTree(upload.body())
                .path("jobId")
                .asLong();
        JsonNode state = SalesFixtures.runImportToDone(admin, job, Duration.ofSeconds(120));
        assertThat(state.path("importedTickets").asLong()).as(state.toString()).isEqualTo(ticket);
    }

    /** Creates the categories and imports the baskets; the caller checks what the import reports. */
    public static GroceriesData load(ApiClient admin, int port) throws IOException, InterruptedException {
        return new GroceriesData(admin, port);
    }

    private static void created(ApiClient.Response res) {
        assertThat(res.status()).as(res.raw()).isEqualTo(201);
    }
}
