package dev.patron.campaigns.web;

import dev.patron.campaigns.CallList;
import dev.patron.shared.web.ConsolePage;
import dev.patron.shared.web.ListLinks;
import dev.patron.shared.web.PageQuery;
import dev.patron.shared.web.PageResult;
import dev.patron.shared.web.PatronException;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.List;
import org.springframework.context.MessageSource;
import org.springframework.context.i18n.LocaleContextHolder;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/** The agents' call list page: calls to make with their scripts, and the outcome form per call. */
@Controller
@RequestMapping("/campaigns/calls")
class CallListController implements ConsolePage {

    private final CallList calls;
    private final MessageSource messages;

    CallListController(CallList calls, MessageSource messages) {
        this.calls = calls;
        this.messages = messages;
    }

    @GetMapping
    String list(
            @RequestParam(required = false) Integer page, @RequestParam(required = false) Integer size, Model model) {
        PageQuery query = PageQuery.of(page, size, null, null);
        model.addAttribute("result", calls.open(query));
        model.addAttribute("links", ListLinks.of("/campaigns/calls", query, "id"));
        model.addAttribute("outcomes", List.of("REACHED", "NO_ANSWER", "INTERESTED", "DECLINED"));
        return "campaigns/calls";
    }

    @PostMapping("/{messageId}")
    String record(
            @PathVariable long messageId,
            @RequestParam(required = false) String outcome,
            @RequestParam(required = false) String note,
            RedirectAttributes redirect) {
        try {
            calls.record(messageId, new CallList.OutcomeCommand(outcome, note));
            redirect.addFlashAttribute("flash", "campaign.flash.callRecorded");
            redirect.addFlashAttribute("flashArg", messageId);
        } catch (PatronException e) {
            var f = e.fieldErrors().isEmpty() ? null : e.fieldErrors().get(0);
            redirect.addFlashAttribute(
                    "problems",
                    List.of(messages.getMessage(
                            f == null ? e.messageKey() : f.messageKey(),
                            f == null ? e.args() : f.args(),
                            e.messageKey(),
                            LocaleContextHolder.getLocale())));
        }
        return "redirect:/campaigns/calls";
    }

    /** The same over REST, for call-center software. */
    @RestController
    @RequestMapping("/api/v1/campaigns/calls")
    @Tag(name = "Campaigns")
    static class Api {
        private final CallList calls;

        Api(CallList calls) {
            this.calls = calls;
        }

        @GetMapping
        @Operation(
                summary =
                        "Open calls of phone campaigns with their scripts, oldest first (AGENT, ADMIN, MARKETER; audited)")
        PageResult<CallList.Call> open(
                @RequestParam(required = false) Integer page, @RequestParam(required = false) Integer size) {
            return calls.open(PageQuery.of(page, size, null, null));
        }

        @PostMapping("/{messageId}/outcome")
        @Operation(summary = "Record a call's outcome: REACHED, NO_ANSWER, INTERESTED or DECLINED (once; 409 after)")
        ResponseEntity<Void> record(@PathVariable long messageId, @RequestBody CallList.OutcomeCommand command) {
            calls.record(messageId, command);
            return ResponseEntity.noContent().build();
        }
    }
}
