package dev.patron.loyalty.web;

import dev.patron.loyalty.Gift;
import dev.patron.loyalty.GiftCatalog;
import dev.patron.loyalty.GiftReservation;
import dev.patron.loyalty.GiftStock;
import dev.patron.shared.web.PageQuery;
import dev.patron.shared.web.PageResult;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.List;
import java.util.Map;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** Gift catalog, stock per store, and gift reservations (reserve → confirm or cancel). */
@RestController
@RequestMapping("/api/v1")
@Tag(name = "Gifts", description = "Gift catalog, stock per store, reservations paid with points")
class GiftRestController {

    private final GiftCatalog gifts;

    GiftRestController(GiftCatalog gifts) {
        this.gifts = gifts;
    }

    @GetMapping("/loyalty/gifts")
    @Operation(
            summary =
                    "The gift catalog (paged; q searches code and names; sort code, nameZh, nameEn, pointsPrice, validTo, available, active)")
    PageResult<Gift> list(
            @RequestParam(required = false) String q,
            @RequestParam(required = false) String sort,
            @RequestParam(required = false) Integer page,
            @RequestParam(required = false) Integer size,
            @RequestParam(required = false, defaultValue = "false") boolean activeOnly) {
        return gifts.gifts(PageQuery.of(page, size, q, sort), activeOnly);
    }

    @PostMapping("/loyalty/gifts")
    @Operation(summary = "Add a gift (ADMIN with all stores; audited)")
    ResponseEntity<Gift> create(@RequestBody GiftCatalog.GiftCommand command) {
        return ResponseEntity.status(201).body(gifts.create(command));
    }

    @GetMapping("/loyalty/gifts/{code}")
    @Operation(summary = "A gift, with stock summed over the caller's stores")
    Gift get(@PathVariable String code) {
        return gifts.gift(code);
    }

    @PutMapping("/loyalty/gifts/{code}")
    @Operation(summary = "Change a gift (ADMIN with all stores; audited)")
    Gift update(@PathVariable String code, @RequestBody GiftCatalog.GiftCommand command) {
        return gifts.update(code, command);
    }

    @GetMapping("/loyalty/gifts/{code}/stock")
    @Operation(summary = "The gift's stock per store in the caller's scope")
    List<GiftStock> stock(@PathVariable String code) {
        return gifts.stock(code);
    }

    @PostMapping("/loyalty/gifts/{code}/stock")
    @Operation(
            summary =
                    "Receive (kind RECEIVE, quantity > 0) or adjust (kind ADJUST, signed quantity, reason) a store's stock (ADMIN or STORE_MANAGER of the store; audited)")
    GiftStock changeStock(@PathVariable String code, @RequestBody GiftCatalog.StockCommand command) {
        return gifts.changeStock(code, command);
    }

    @GetMapping("/loyalty/gifts/{code}/stock/movements")
    @Operation(summary = "The gift's stock movements, newest first (optionally at one store)")
    PageResult<GiftStock.Movement> movements(
            @PathVariable String code,
            @RequestParam(required = false) String storeCode,
            @RequestParam(required = false) Integer page,
            @RequestParam(required = false) Integer size) {
        return gifts.movements(code, storeCode, PageQuery.of(page, size, null, null));
    }

    @GetMapping("/loyalty/gift-settings")
    @Operation(summary = "Gift settings: hours a reservation waits to be handed out")
    Map<String, Integer> settings() {
        return Map.of("reservationHours", gifts.reservationHours());
    }

    record SettingsRequest(Integer reservationHours) {}

    @PutMapping("/loyalty/gift-settings")
    @Operation(summary = "Change the gift settings (ADMIN with all stores; audited)")
    Map<String, Integer> updateSettings(@RequestBody SettingsRequest request) {
        return Map.of("reservationHours", gifts.updateReservationHours(request.reservationHours()));
    }

    @PostMapping("/gift-reservations")
    @Operation(
            summary = "Reserve a gift: the points are taken at once, the items set aside; idempotent by key",
            description = "Key in the Idempotency-Key header or idempotencyKey in the body. 422 naming the field when"
                    + " the points do not suffice, the store lacks the items, the gift is inactive or not valid today,"
                    + " or the card is not active; 409 when the key was used for another request.")
    ResponseEntity<GiftReservation> reserve(
            @RequestHeader(name = "Idempotency-Key", required = false) String header,
            @RequestBody GiftCatalog.ReserveCommand command) {
        GiftCatalog.ReserveCommand c =
                command.idempotencyKey() == null || command.idempotencyKey().isBlank()
                        ? new GiftCatalog.ReserveCommand(
                                header,
                                command.memberId(),
                                command.cardNumber(),
                                command.phone(),
                                command.giftCode(),
                                command.storeCode(),
                                command.quantity())
                        : command;
        return ResponseEntity.status(201).body(gifts.reserve(c));
    }

    record KeyRequest(String idempotencyKey) {}

    private static String key(String header, KeyRequest body) {
        return body != null
                        && body.idempotencyKey() != null
                        && !body.idempotencyKey().isBlank()
                ? body.idempotencyKey()
                : header;
    }

    @GetMapping("/gift-reservations/{id}")
    @Operation(summary = "A gift reservation")
    GiftReservation reservation(@PathVariable long id) {
        return gifts.reservation(id);
    }

    @GetMapping("/gift-reservations")
    @Operation(summary = "A store's gift reservations, newest first (status RESERVED, CONFIRMED, CANCELLED or EXPIRED)")
    PageResult<GiftReservation> storeReservations(
            @RequestParam String storeCode,
            @RequestParam(required = false) String status,
            @RequestParam(required = false) Integer page,
            @RequestParam(required = false) Integer size) {
        return gifts.storeReservations(storeCode, status, PageQuery.of(page, size, null, null));
    }

    @PostMapping("/gift-reservations/{id}/confirm")
    @Operation(summary = "Hand the gift out: the items leave the store's stock; idempotent by key")
    GiftReservation confirm(
            @PathVariable long id,
            @RequestHeader(name = "Idempotency-Key", required = false) String header,
            @RequestBody(required = false) KeyRequest body) {
        return gifts.confirm(id, key(header, body));
    }

    @PostMapping("/gift-reservations/{id}/cancel")
    @Operation(
            summary =
                    "Cancel: the points go back to the lots they came from, the items are released; idempotent by key")
    GiftReservation cancel(
            @PathVariable long id,
            @RequestHeader(name = "Idempotency-Key", required = false) String header,
            @RequestBody(required = false) KeyRequest body) {
        return gifts.cancel(id, key(header, body));
    }

    @GetMapping("/members/{id}/gift-reservations")
    @Operation(summary = "A member's gift reservations at the caller's stores, newest first (paged)")
    PageResult<GiftReservation> memberReservations(
            @PathVariable long id,
            @RequestParam(required = false) Integer page,
            @RequestParam(required = false) Integer size) {
        return gifts.memberReservations(id, PageQuery.of(page, size, null, null));
    }
}
