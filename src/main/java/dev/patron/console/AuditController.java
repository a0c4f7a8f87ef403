package dev.patron.console;

import dev.patron.audit.AuditLog;
import dev.patron.shared.security.CurrentStaff;
import dev.patron.shared.web.ConsolePage;
import dev.patron.shared.web.Forms;
import dev.patron.shared.web.ListLinks;
import dev.patron.shared.web.PageQuery;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;

/**
 * The audit log for head-office admins (the URL rules admit ADMIN only; the whole chain's trail
 * also needs all-store access), newest first, searchable by actor, action or record.
 */
@Controller
class AuditController implements ConsolePage {

    private final AuditLog audit;

    AuditController(AuditLog audit) {
        this.audit = audit;
    }

    @GetMapping("/audit")
    String list(
            @RequestParam(required = false) Integer page,
            @RequestParam(required = false) Integer size,
            @RequestParam(required = false) String q,
            HttpServletRequest request,
            Model model) {
        CurrentStaff.requireAllStores();
        PageQuery query = PageQuery.of(page, size, q, null);
        model.addAttribute("result", audit.search(query));
        model.addAttribute("links", ListLinks.of("/audit", query, "at"));
        return Forms.wantsFragment(request) ? "audit/list :: results" : "audit/list";
    }
}
