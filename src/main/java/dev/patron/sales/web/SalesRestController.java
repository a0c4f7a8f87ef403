package dev.patron.sales.web;

import dev.patron.sales.BatchRejected;
import dev.patron.sales.ReturnCommand;
import dev.patron.sales.SaleCommand;
import dev.patron.sales.SaleOutcome;
import dev.patron.sales.SalesManagement;
import dev.patron.sales.Ticket;
import dev.patron.shared.web.PageQuery;
import dev.patron.shared.web.PageResult;
import dev.patron.shared.web.PatronException;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import org.springframework.context.MessageSource;
import org.springframework.context.i18n.LocaleContextHolder;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * POS integration: record sales and returns exactly once, read tickets. See
 * docs/POS-INTEGRATION.md. A first recording answers 201; a retry of the same ticket answers 200 with
 * the first result and the header {@code Idempotent-Replayed: true}; the same POS transaction id with
 * different content answers 409.
 */
@RestController
@RequestMapping("/api/v1")
@Tag(name = "Sales", description = "POS sales and returns (exactly once), member purchase history")
class SalesRestController {

    static final String REPLAYED_HEADER = "Idempotent-Replayed";

    private final SalesManagement sales;
    private final MessageSource messages;

    SalesRestController(SalesManagement sales, MessageSource messages) {
        this.sales = sales;
        this.messages = messages;
    }

    @PostMapping("/sales")
    @Operation(
            summary = "Record one sale ticket; idempotent on (storeCode, posTransactionId)",
            description = "201 with the ticket; 200 with the first result when the same ticket was recorded"
                    + " before (header Idempotent-Replayed: true); 409 when that POS transaction id was recorded"
                    + " with different content; 400/422 naming the field for bad input.")
    ResponseEntity<Ticket> record(@RequestBody SaleCommand sale) {
        return answer(sales.record(sale));
    }

    @Schema(description = "Up to 1,000 sale tickets")
    record BatchRequest(
            @Schema(description = "true: one bad ticket rejects the whole batch (nothing recorded, 422)")
            Boolean atomic,

            @Schema(description = "The tickets, 1 to 1,000") List<SaleCommand> sales) {}

    record BatchError(String field, String message) {}

    @Schema(
            description =
                    "One ticket's outcome: status 201 created, 200 replayed, 4xx failed, 424 not recorded (atomic batch rejected)")
    record BatchItem(
            int index,
            int status,
            SaleOutcome.Status outcome,
            Long saleId,
            String posTransactionId,
            String message,
            List<BatchError> errors) {}

    record BatchResult(int created, int replayed, int failed, List<BatchItem> results) {}

    @PostMapping("/sales/batch")
    @Operation(
            summary = "Record up to 1,000 sale tickets in one transaction; per-ticket outcomes",
            description = "Each ticket is idempotent like POST /sales. Without atomic, good tickets are recorded and"
                    + " bad ones reported (200). With atomic=true, one bad ticket rejects all: 422 with every outcome.")
    ResponseEntity<BatchResult> batch(@RequestBody BatchRequest request) {
        List<SaleCommand> items = request.sales() == null ? List.of() : request.sales();
        try {
            List<SaleOutcome> outcomes = sales.record(items, Boolean.TRUE.equals(request.atomic()));
            return ResponseEntity.ok(result(items, outcomes));
        } catch (BatchRejected e) {
            return ResponseEntity.unprocessableEntity().body(result(items, e.outcomes()));
        }
    }

    @PostMapping("/returns")
    @Operation(
            summary = "Record a return of (part of) an earlier sale; idempotent on (storeCode, posTransactionId)",
            description = "A line can never be returned beyond what was bought, across all returns. 201 / 200 replay /"
                    + " 409 like POST /sales.")
    ResponseEntity<Ticket> recordReturn(@RequestBody ReturnCommand command) {
        return answer(sales.recordReturn(command));
    }

    @GetMapping("/sales/{id}")
    @Operation(summary = "A ticket (sale or return) with its lines and payments")
    Ticket ticket(@PathVariable long id) {
        return sales.ticket(id);
    }

    @GetMapping("/members/{id}/sales")
    @Operation(summary = "A member's tickets, newest first, in the caller's stores (paged)")
    PageResult<Ticket> memberSales(
            @PathVariable long id,
            @RequestParam(required = false) Integer page,
            @RequestParam(required = false) Integer size) {
        return sales.memberTickets(id, PageQuery.of(page, size, null, null));
    }

    private static ResponseEntity<Ticket> answer(SaleOutcome o) {
        Ticket t = o.ticket();
        if (o.status() == SaleOutcome.Status.REPLAYED) {
            return ResponseEntity.ok().header(REPLAYED_HEADER, "true").body(t);
        }
        return ResponseEntity.created(URI.create("/api/v1/sales/" + t.id())).body(t);
    }

    private BatchResult result(List<SaleCommand> items, List<SaleOutcome> outcomes) {
        List<BatchItem> results = new ArrayList<>(outcomes.size());
        int created = 0;
        int replayed = 0;
        int failed = 0;
        for (int i = 0; i < outcomes.size(); i++) {
            SaleOutcome o = outcomes.get(i);
            String txn = items.get(i) == null ? null : items.get(i).posTransactionId();
            switch (o.status()) {
                case CREATED -> {
                    created++;
                    results.add(new BatchItem(i, 201, o.status(), o.ticket().id(), txn, null, List.of()));
                }
                case REPLAYED -> {
                    replayed++;
                    results.add(new BatchItem(i, 200, o.status(), o.ticket().id(), txn, null, List.of()));
                }
                case NOT_RECORDED ->
                    results.add(new BatchItem(
                            i,
                            HttpStatus.FAILED_DEPENDENCY.value(),
                            o.status(),
                            null,
                            txn,
                            msg("sales.batch.notRecorded"),
                            List.of()));
                case FAILED -> {
                    failed++;
                    PatronException e = o.error();
                    results.add(new BatchItem(
                            i,
                            e.status().value(),
                            o.status(),
                            null,
                            txn,
                            msg(e.messageKey(), e.args()),
                            e.fieldErrors().stream()
                                    .map(fe -> new BatchError(fe.field(), msg(fe.messageKey(), fe.args())))
                                    .toList()));
                }
            }
        }
        return new BatchResult(created, replayed, failed, results);
    }

    private String msg(String key, Object... args) {
        return messages.getMessage(key, args, key, LocaleContextHolder.getLocale());
    }
}
