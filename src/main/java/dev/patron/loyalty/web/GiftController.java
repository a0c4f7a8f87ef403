package dev.patron.loyalty.web;

import dev.patron.loyalty.Gift;
import dev.patron.loyalty.GiftCatalog;
import dev.patron.loyalty.GiftStock;
import dev.patron.loyalty.LoyaltyManagement;
import dev.patron.organization.OrganizationManagement;
import dev.patron.shared.security.CurrentStaff;
import dev.patron.shared.web.ConsolePage;
import dev.patron.shared.web.ConsoleUser;
import dev.patron.shared.web.Forms;
import dev.patron.shared.web.ListLinks;
import dev.patron.shared.web.PageQuery;
import dev.patron.shared.web.PatronException;
import dev.patron.shared.web.SelectOption;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.time.LocalDate;
import java.util.List;
import java.util.UUID;
import org.springframework.format.annotation.DateTimeFormat;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.validation.BindingResult;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.ModelAttribute;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;
import org.springframework.web.util.UriComponentsBuilder;

/**
 * Console pages of gift redemption: the catalog (everyone reads; head-office admins change it),
 * a gift's stock per store (ADMIN or STORE_MANAGER receive and adjust), and the desk where a
 * member's gift is reserved with points and then handed out or cancelled. Every rule is
 * {@link GiftCatalog}'s, so pages and the REST API obey the same checks.
 */
@Controller
@RequestMapping("/loyalty/gifts")
class GiftController implements ConsolePage {

    /** The gift form; dates as ISO dates from {@code <input type="date">}. */
    record GiftForm(
            String code,
            String nameZh,
            String nameEn,
            String description,
            Long pointsPrice,
            Long cashFen,
            String imageUrl,
            @DateTimeFormat(iso = DateTimeFormat.ISO.DATE) LocalDate validFrom,
            @DateTimeFormat(iso = DateTimeFormat.ISO.DATE) LocalDate validTo,
            String active) {
        GiftCatalog.GiftCommand command() {
            return new GiftCatalog.GiftCommand(
                    code,
                    nameZh,
                    nameEn,
                    description,
                    pointsPrice,
                    cashFen,
                    imageUrl,
                    validFrom,
                    validTo,
                    active == null || !"false".equals(active));
        }
    }

    record StockForm(String storeCode, String kind, Long quantity, String reason) {}

    record ReserveForm(String idempotencyKey, String storeCode, String member, String giftCode, Integer quantity) {}

    private final GiftCatalog gifts;
    private final LoyaltyManagement loyalty;
    private final OrganizationManagement organization;

    GiftController(GiftCatalog gifts, LoyaltyManagement loyalty, OrganizationManagement organization) {
        this.gifts = gifts;
        this.loyalty = loyalty;
        this.organization = organization;
    }

    // ------------------------------------------------------------------ catalog

    @GetMapping
    String list(
            @RequestParam(required = false) Integer page,
            @RequestParam(required = false) Integer size,
            @RequestParam(required = false) String q,
            @RequestParam(required = false) String sort,
            HttpServletRequest request,
            Model model) {
        PageQuery query = PageQuery.of(page, size, q, sort);
        model.addAttribute("result", gifts.gifts(query, false));
        model.addAttribute("links", ListLinks.of("/loyalty/gifts", query, "code"));
        model.addAttribute("today", LocalDate.now(java.time.ZoneId.of("Asia/Shanghai")));
        return Forms.wantsFragment(request) ? "loyalty/gifts :: results" : "loyalty/gifts";
    }

    @GetMapping("/new")
    String newForm(Model model) {
        ConsoleUser.requireHeadOfficeAdmin();
        model.addAttribute("form", new GiftForm(null, null, null, null, null, 0L, null, null, null, "true"));
        return "loyalty/gift-form";
    }

    @PostMapping
    String create(
            @ModelAttribute("form") GiftForm form,
            BindingResult result,
            HttpServletResponse response,
            RedirectAttributes redirect) {
        ConsoleUser.requireHeadOfficeAdmin();
        if (result.hasErrors()) {
            Forms.invalid(response);
            return "loyalty/gift-form";
        }
        try {
            Gift g = gifts.create(form.command());
            return saved(g, redirect);
        } catch (PatronException e) {
            Forms.reject(result, e, response);
            return "loyalty/gift-form";
        }
    }

    @GetMapping("/{code}/edit")
    String editForm(@PathVariable String code, Model model) {
        ConsoleUser.requireHeadOfficeAdmin();
        Gift g = gifts.gift(code);
        model.addAttribute(
                "form",
                new GiftForm(
                        g.code(),
                        g.nameZh(),
                        g.nameEn(),
                        g.description(),
                        g.pointsPrice(),
                        g.cashFen(),
                        g.imageUrl(),
                        g.validFrom(),
                        g.validTo(),
                        Boolean.toString(g.active())));
        model.addAttribute("editing", g.code());
        return "loyalty/gift-form";
    }

    @PostMapping("/{code}")
    String update(
            @PathVariable String code,
            @ModelAttribute("form") GiftForm form,
            BindingResult result,
            Model model,
            HttpServletResponse response,
            RedirectAttributes redirect) {
        ConsoleUser.requireHeadOfficeAdmin();
        model.addAttribute("editing", code);
        if (result.hasErrors()) {
            Forms.invalid(response);
            return "loyalty/gift-form";
        }
        try {
            return saved(gifts.update(code, form.command()), redirect);
        } catch (PatronException e) {
            Forms.reject(result, e, response);
            return "loyalty/gift-form";
        }
    }

    @ModelAttribute("activeOptions")
    List<SelectOption> activeOptions() {
        return List.of(new SelectOption("true", "gifts.active.true"), new SelectOption("false", "gifts.active.false"));
    }

    private static String saved(Gift g, RedirectAttributes redirect) {
        redirect.addFlashAttribute("flash", "gifts.flash.saved");
        redirect.addFlashAttribute("flashArg", g.code());
        return "redirect:/loyalty/gifts";
    }

    // ------------------------------------------------------------------ stock

    @GetMapping("/{code}/stock")
    String stock(
            @PathVariable String code,
            @RequestParam(required = false) Integer page,
            @RequestParam(required = false) String storeCode,
            Model model) {
        model.addAttribute("form", new StockForm(storeCode, "RECEIVE", null, null));
        return stockPage(code, page, storeCode, model);
    }

    @PostMapping("/{code}/stock")
    String changeStock(
            @PathVariable String code,
            @ModelAttribute("form") StockForm form,
            BindingResult result,
            Model model,
            HttpServletResponse response,
            RedirectAttributes redirect) {
        try {
            gifts.changeStock(
                    code, new GiftCatalog.StockCommand(form.storeCode(), form.kind(), form.quantity(), form.reason()));
        } catch (PatronException e) {
            Forms.reject(result, e, response);
            return stockPage(code, null, null, model);
        }
        redirect.addFlashAttribute("flash", "gifts.flash.stock");
        redirect.addFlashAttribute("flashArg", code);
        return "redirect:/loyalty/gifts/" + code + "/stock";
    }

    private String stockPage(String code, Integer page, String storeCode, Model model) {
        Gift g = gifts.gift(code);
        PageQuery query = PageQuery.of(page, 20, null, null);
        model.addAttribute("gift", g);
        model.addAttribute("stock", gifts.stock(code));
        model.addAttribute("result", gifts.movements(code, storeCode, query));
        model.addAttribute(
                "links",
                ListLinks.of("/loyalty/gifts/" + code + "/stock", query, null).filter("storeCode", storeCode));
        model.addAttribute("stores", storeOptions());
        model.addAttribute(
                "kinds",
                List.of(
                        new SelectOption("RECEIVE", "gifts.kind.RECEIVE"),
                        new SelectOption("ADJUST", "gifts.kind.ADJUST")));
        model.addAttribute(
                "mayKeepStock",
                ConsoleUser.current() != null && ConsoleUser.current().counterEditor());
        return "loyalty/gift-stock";
    }

    private List<SelectOption> storeOptions() {
        var scope = CurrentStaff.scope();
        return organization.allStores().stream()
                .filter(s -> scope.allows(s.id()))
                .map(s -> new SelectOption(s.code(), s.code() + " · " + s.name()))
                .toList();
    }

    // ------------------------------------------------------------------ desk

    @GetMapping("/desk")
    String desk(
            @RequestParam(required = false) String storeCode,
            @RequestParam(required = false) String member,
            Model model) {
        List<SelectOption> stores = storeOptions();
        String store = storeCode != null && !storeCode.isBlank()
                ? storeCode.strip()
                : stores.size() == 1 ? stores.get(0).value() : null;
        model.addAttribute("form", new ReserveForm(UUID.randomUUID().toString(), store, member, null, 1));
        return deskPage(store, member, model);
    }

    @PostMapping("/desk/reserve")
    String reserve(
            @ModelAttribute("form") ReserveForm form,
            BindingResult result,
            Model model,
            HttpServletResponse response,
            RedirectAttributes redirect) {
        String ref = form.member() == null ? "" : form.member().strip();
        boolean phone = ref.matches("^(\\+?86)?1\\d{10}$");
        try {
            var r = gifts.reserve(new GiftCatalog.ReserveCommand(
                    form.idempotencyKey(),
                    null,
                    phone || ref.isEmpty() ? null : ref,
                    phone ? ref : null,
                    form.giftCode(),
                    form.storeCode(),
                    form.quantity()));
            redirect.addFlashAttribute("flash", "gifts.flash.reserved");
            redirect.addFlashAttribute("flashArg", r.id());
            return "redirect:" + deskUrl(form.storeCode(), ref);
        } catch (PatronException e) {
            for (PatronException.FieldError fe : e.fieldErrors()) {
                String field = switch (fe.field()) {
                    case "memberId", "cardNumber", "phone" -> "member";
                    default -> fe.field();
                };
                if (List.of("member", "giftCode", "quantity", "storeCode").contains(field)) {
                    result.rejectValue(field, fe.messageKey(), fe.args(), fe.messageKey());
                } else {
                    result.reject(fe.messageKey(), fe.args(), fe.messageKey());
                }
            }
            if (e.fieldErrors().isEmpty()) {
                throw e;
            }
            response.setStatus(e.status().value());
            return deskPage(form.storeCode(), null, model);
        }
    }

    @PostMapping("/reservations/{id}/confirm")
    String confirm(
            @PathVariable long id,
            @RequestParam String idempotencyKey,
            @RequestParam(required = false) String member,
            RedirectAttributes redirect) {
        var r = gifts.confirm(id, idempotencyKey);
        redirect.addFlashAttribute("flash", "gifts.flash.confirmed");
        redirect.addFlashAttribute("flashArg", r.id());
        return "redirect:" + deskUrl(r.storeCode(), member);
    }

    @PostMapping("/reservations/{id}/cancel")
    String cancel(
            @PathVariable long id,
            @RequestParam String idempotencyKey,
            @RequestParam(required = false) String member,
            RedirectAttributes redirect) {
        var r = gifts.cancel(id, idempotencyKey);
        redirect.addFlashAttribute("flash", "gifts.flash.cancelled");
        redirect.addFlashAttribute("flashArg", r.id());
        return "redirect:" + deskUrl(r.storeCode(), member);
    }

    private static String deskUrl(String storeCode, String member) {
        return UriComponentsBuilder.fromPath("/loyalty/gifts/desk")
                .queryParamIfPresent("storeCode", java.util.Optional.ofNullable(blank(storeCode)))
                .queryParamIfPresent("member", java.util.Optional.ofNullable(blank(member)))
                .encode()
                .build()
                .toUriString();
    }

    private static String blank(String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }

    private String deskPage(String storeCode, String member, Model model) {
        model.addAttribute("stores", storeOptions());
        model.addAttribute("storeCode", storeCode);
        model.addAttribute("member", member);
        if (storeCode != null && !storeCode.isBlank()) {
            List<GiftStock> stock = gifts.storeStock(storeCode);
            LocalDate today = LocalDate.now(java.time.ZoneId.of("Asia/Shanghai"));
            List<Gift> offer = stock.stream()
                    .filter(s -> s.available() > 0)
                    .map(s -> gifts.findGift(s.giftCode()).orElse(null))
                    .filter(g -> g != null && g.validOn(today))
                    .toList();
            model.addAttribute("offer", offer);
            model.addAttribute(
                    "stockByGift",
                    stock.stream()
                            .collect(java.util.stream.Collectors.toMap(GiftStock::giftCode, GiftStock::available)));
            model.addAttribute("open", gifts.storeReservations(storeCode, "RESERVED", PageQuery.of(0, 50, null, null)));
        }
        if (member != null && !member.isBlank()) {
            try {
                long id = gifts.memberIdAtDesk(member);
                model.addAttribute("memberId", id);
                model.addAttribute("points", loyalty.balance(id));
            } catch (PatronException e) {
                model.addAttribute(
                        "memberError",
                        e.fieldErrors().isEmpty()
                                ? e.messageKey()
                                : e.fieldErrors().get(0).messageKey());
            }
        }
        model.addAttribute("newKey", UUID.randomUUID().toString());
        return "loyalty/gifts-desk";
    }
}
