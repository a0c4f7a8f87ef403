package dev.patron.sales.web;

import dev.patron.sales.TrafficDay;
import dev.patron.sales.TrafficImportResult;
import dev.patron.sales.TrafficManagement;
import dev.patron.shared.web.ConsolePage;
import dev.patron.shared.web.PatronException;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.context.MessageSource;
import org.springframework.context.i18n.LocaleContextHolder;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.multipart.MultipartFile;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/**
 * Store traffic page: a form to enter one store-day, a CSV import, and the traffic of a period as a
 * table. Anyone signed in reads (their stores); ADMIN and STORE_MANAGER enter and import.
 */
@Controller
@RequestMapping("/sales/traffic")
class TrafficController implements ConsolePage {

    private final TrafficManagement traffic;
    private final MessageSource messages;

    TrafficController(TrafficManagement traffic, MessageSource messages) {
        this.traffic = traffic;
        this.messages = messages;
    }

    @GetMapping
    String page(
            @RequestParam(required = false) String storeCode,
            @RequestParam(required = false) String from,
            @RequestParam(required = false) String to,
            Model model,
            HttpServletResponse response) {
        return render(storeCode, from, to, Map.of(), List.of(), null, model, response);
    }

    @PostMapping
    String enter(
            @RequestParam(required = false) String storeCode,
            @RequestParam(required = false) String businessDate,
            @RequestParam(required = false) String visitors,
            Model model,
            HttpServletResponse response,
            RedirectAttributes redirect) {
        Map<String, String> errors = new LinkedHashMap<>();
        LocalDate date = null;
        Integer count = null;
        try {
            date = businessDate == null || businessDate.isBlank() ? null : LocalDate.parse(businessDate.strip());
        } catch (DateTimeParseException e) {
            errors.put("businessDate", msg("sales.import.date"));
        }
        try {
            count = visitors == null || visitors.isBlank() ? null : Integer.valueOf(visitors.strip());
        } catch (NumberFormatException e) {
            errors.put("visitors", msg("sales.traffic.visitorsNumber"));
        }
        if (errors.isEmpty()) {
            try {
                TrafficDay day = traffic.enter(storeCode, date, count);
                redirect.addFlashAttribute(
                        "saved", msg("sales.traffic.saved", day.storeCode(), day.businessDate(), day.visitors()));
                return "redirect:/sales/traffic?storeCode=" + day.storeCode();
            } catch (PatronException e) {
                if (e.fieldErrors().isEmpty()) {
                    throw e;
                }
                e.fieldErrors().forEach(fe -> errors.merge(fe.field(), msg(fe.messageKey(), fe.args()), (a, b) -> a));
            }
        }
        model.addAttribute(
                "entered",
                Map.of(
                        "storeCode", storeCode == null ? "" : storeCode,
                        "businessDate", businessDate == null ? "" : businessDate,
                        "visitors", visitors == null ? "" : visitors));
        return render(storeCode, null, null, errors, List.of(), null, model, response);
    }

    @PostMapping("/import")
    String importCsv(
            @RequestParam(required = false) MultipartFile file,
            Model model,
            HttpServletResponse response,
            RedirectAttributes redirect) {
        List<String> problems = new ArrayList<>();
        if (file == null || file.isEmpty()) {
            problems.add(msg("sales.import.noFile"));
        } else {
            try (InputStream in = file.getInputStream()) {
                TrafficImportResult r = traffic.importCsv(in);
                redirect.addFlashAttribute(
                        "saved", msg("sales.traffic.imported", r.rows(), r.stores(), r.from(), r.to()));
                return "redirect:/sales/traffic?from=" + r.from() + "&to=" + r.to();
            } catch (PatronException e) {
                if (e.fieldErrors().isEmpty()) {
                    throw e;
                }
                e.fieldErrors().forEach(fe -> problems.add(fe.field() + ": " + msg(fe.messageKey(), fe.args())));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return render(null, null, null, Map.of(), problems, null, model, response);
    }

    private String render(
            String storeCode,
            String from,
            String to,
            Map<String, String> errors,
            List<String> importProblems,
            String unused,
            Model model,
            HttpServletResponse response) {
        List<TrafficDay> days = List.of();
        String listProblem = null;
        try {
            days = traffic.list(
                    storeCode == null || storeCode.isBlank() ? null : storeCode,
                    from == null || from.isBlank() ? null : LocalDate.parse(from),
                    to == null || to.isBlank() ? null : LocalDate.parse(to));
        } catch (PatronException e) {
            listProblem = e.fieldErrors().isEmpty()
                    ? msg(e.messageKey(), e.args())
                    : msg(
                            e.fieldErrors().get(0).messageKey(),
                            e.fieldErrors().get(0).args());
        } catch (DateTimeParseException e) {
            listProblem = msg("sales.import.date");
        }
        if (!errors.isEmpty() || !importProblems.isEmpty()) {
            response.setStatus(HttpStatus.BAD_REQUEST.value());
        }
        model.addAttribute("days", days);
        model.addAttribute("stores", traffic.storeCodes());
        model.addAttribute("mayWrite", traffic.mayWrite());
        model.addAttribute("storeCode", storeCode == null ? "" : storeCode);
        model.addAttribute("from", from == null ? "" : from);
        model.addAttribute("to", to == null ? "" : to);
        model.addAttribute("errors", errors);
        model.addAttribute("importProblems", importProblems);
        model.addAttribute("listProblem", listProblem);
        if (!model.containsAttribute("entered")) {
            model.addAttribute(
                    "entered",
                    Map.of("storeCode", storeCode == null ? "" : storeCode, "businessDate", "", "visitors", ""));
        }
        return "sales/traffic";
    }

    private String msg(String key, Object... args) {
        return messages.getMessage(key, args, key, LocaleContextHolder.getLocale());
    }
}
