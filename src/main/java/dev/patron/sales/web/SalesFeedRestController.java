package dev.patron.sales.web;

import dev.patron.sales.SalesFeedControl;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.List;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** The sales feed's consumers for operations: pending events, pause and resume (ADMIN; audited). */
@RestController
@RequestMapping("/api/v1/sales/feed")
@Tag(name = "Sales", description = "POS sales and returns (exactly once), member purchase history")
class SalesFeedRestController {

    private final SalesFeedControl control;

    SalesFeedRestController(SalesFeedControl control) {
        this.control = control;
    }

    @GetMapping
    @Operation(summary = "The sales feed's consumers: events not applied yet, paused or not (ADMIN)")
    List<SalesFeedControl.Consumer> consumers() {
        return control.consumers();
    }

    @PostMapping("/{consumer}/pause")
    @Operation(
            summary = "Pause a consumer (ADMIN; audited)",
            description =
                    "Its deliveries keep being recorded with every sale and wait until it is resumed; 404 for an unknown consumer.")
    SalesFeedControl.Consumer pause(@PathVariable String consumer) {
        return control.pause(consumer);
    }

    @PostMapping("/{consumer}/resume")
    @Operation(summary = "Resume a paused consumer: the waiting deliveries are applied in order (ADMIN; audited)")
    SalesFeedControl.Consumer resume(@PathVariable String consumer) {
        return control.resume(consumer);
    }
}
