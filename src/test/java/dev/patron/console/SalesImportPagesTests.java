package dev.patron.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patron.ApiClient;
import dev.patron.PatronIntegrationTest;
import dev.patron.TestData;
import dev.patron.console.ConsoleSession.Form;
import dev.patron.console.ConsoleSession.Page;
import dev.patron.shared.security.Role;
import dev.patron.staff.StaffCommand;
import dev.patron.staff.StaffManagement;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The sales import wizard and the traffic page over real HTTP: upload, preview, run, the report
 * polled until done with its bad row; a store manager does not reach the wizard but enters traffic.
 */
@PatronIntegrationTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SalesImportPagesTests {

    static final String PASSWORD = "Correct-horse-battery-7";
    private static final Pattern PREVIEW = Pattern.compile("/sales/imports/(\\d+)/preview$");

    final int port;
    final StaffManagement staff;
    final JdbcClient jdbc;
    final String store = TestData.unique("S");
    final String otherStore = TestData.unique("S");
    final String counter = TestData.unique("C");
    String adminUser;
    String managerUser;

    SalesImportPagesTests(@LocalServerPort int port, @Autowired StaffManagement staff, @Autowired JdbcClient jdbc) {
        this.port = port;
        this.staff = staff;
        this.jdbc = jdbc;
    }

    @BeforeAll
    void accountsAndStores() {
        // the console module does not depend on sales: organisation data over the API, tickets by SQL
        ApiClient api = new ApiClient(port, TestData.BOOTSTRAP_API_KEY);
        String region = TestData.unique("R");
        assertThat(api.post("/api/v1/regions", Map.of("code", region, "name", "华南区"))
                        .status())
                .isEqualTo(201);
        for (String s : List.of(store, otherStore)) {
            assertThat(api.post("/api/v1/stores", Map.of("code", s, "name", "百货" + s, "regionCode", region))
                            .status())
                    .isEqualTo(201);
        }
        assertThat(api.post(
                                "/api/v1/counters",
                                Map.of("code", counter, "name", "专柜", "storeCode", store, "supplierName", "供应商"))
                        .status())
                .isEqualTo(201);
        adminUser = TestData.unique("si.admin");
        staff.createAccount(
                new StaffCommand(adminUser, "销售导入管理员", null, Set.of(Role.ADMIN), true, null, PASSWORD, true));
        managerUser = TestData.unique("si.manager");
        staff.createAccount(new StaffCommand(
                managerUser, "店长", null, Set.of(Role.STORE_MANAGER), false, List.of(store), PASSWORD, true));
    }

    private ConsoleSession signedIn(String user) {
        ConsoleSession s = new ConsoleSession(port);
        assertThat(s.login(user, PASSWORD).location()).endsWith("/");
        return s;
    }

    @Test
    void anAdminUploadsPreviewsRunsAndReadsTheReport() throws Exception {
        String p = TestData.unique("W") + "-";
        String csv =
                "store_code,pos_transaction_id,business_date,sku,counter_code,quantity,unit_price_fen,cashier_mood\n"
                        + store + "," + p + "1,2026-08-01,围巾," + counter + ",1,19900,happy\n"
                        + store + "," + p + "2,2026-08-01,手套," + counter + ",0,1000,sad\n";
        ConsoleSession admin = signedIn(adminUser);
        Page form = admin.get("/sales/imports/new");
        assertThat(form.status()).isEqualTo(200);
        assertThat(form.body()).contains("enctype=\"multipart/form-data\"", "id=\"import-steps\"");

        Page uploaded =
                admin.upload("/sales/imports", new Form(), "file", "history.csv", csv.getBytes(StandardCharsets.UTF_8));
        assertThat(uploaded.status()).isEqualTo(302);
        Matcher m = PREVIEW.matcher(uploaded.location());
        assertThat(m.find()).as(uploaded.location()).isTrue();
        long job = Long.parseLong(m.group(1));

        Page preview = admin.get("/sales/imports/" + job + "/preview");
        assertThat(preview.status()).isEqualTo(200);
        assertThat(preview.body())
                .contains("id=\"import-sample\"", "围巾", "手套", "cashier_mood", "Skip bad tickets", "All or nothing");

        Page run = admin.submit("/sales/imports/" + job + "/run", Form.of("mode", "SKIP_BAD_TICKETS"));
        assertThat(run.status()).isEqualTo(302);
        assertThat(run.location()).endsWith("/sales/imports/" + job);

        Page report = admin.get("/sales/imports/" + job);
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (report.body().contains("data-status=\"RUNNING\"") && System.nanoTime() < deadline) {
            assertThat(report.body()).contains("hx-trigger=\"every 2s\"");
            Thread.sleep(200);
            report = admin.get("/sales/imports/" + job);
        }
        assertThat(report.status()).isEqualTo(200);
        assertThat(report.body())
                .contains(
                        "data-status=\"DONE\"",
                        "1 of 2 tickets imported.",
                        "data-count=\"importedTickets\">1<",
                        "data-count=\"failedTickets\">1<",
                        "data-row=\"3\"",
                        "<code>quantity</code>",
                        "must be greater than 0",
                        "href=\"/sales/imports/" + job + "/problems.csv\"")
                .doesNotContain("hx-trigger");
        assertThat(jdbc.sql("select count(*) from sales.sale where pos_txn_id = ? and source = 'IMPORT'")
                        .param(p + "1")
                        .query(Long.class)
                        .single())
                .isEqualTo(1);
        assertThat(admin.get("/sales/imports/" + job + "/problems.csv").body())
                .contains("Row,Column,Kind,Reason", "3,quantity,ERROR,must be greater than 0");

        Page bad = admin.upload(
                "/sales/imports", new Form(), "file", "x.csv", "a,b\n1,2\n".getBytes(StandardCharsets.UTF_8));
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.body()).contains("id=\"import-problem\"", "The file lacks the required columns");
    }

    @Test
    void aStoreManagerCannotImportSalesButEntersTraffic() {
        ConsoleSession manager = signedIn(managerUser);
        assertThat(manager.get("/sales/imports/new").status()).isEqualTo(403);

        Page page = manager.get("/sales/traffic");
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.body()).contains("id=\"traffic-entry\"", store).doesNotContain(">" + otherStore + "<");

        Page saved = manager.submit(
                "/sales/traffic", Form.of("storeCode", store, "businessDate", "2026-08-01", "visitors", "640"));
        assertThat(saved.status()).isEqualTo(302);
        assertThat(saved.location()).contains("/sales/traffic");
        assertThat(manager.get("/sales/traffic?storeCode=" + store + "&from=2026-08-01&to=2026-08-01")
                        .body())
                .contains("640", "data-date=\"2026-08-01\"");

        Page negative = manager.submit(
                "/sales/traffic", Form.of("storeCode", store, "businessDate", "2026-08-02", "visitors", "-1"));
        assertThat(negative.status()).isEqualTo(400);
        assertThat(negative.body()).contains("must be 0 or more");
    }
}
