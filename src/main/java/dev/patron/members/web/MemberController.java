package dev.patron.members.web;

import dev.patron.members.Card;
import dev.patron.members.CardKind;
import dev.patron.members.CardStatus;
import dev.patron.members.Gender;
import dev.patron.members.IdentifierKind;
import dev.patron.members.JoinChannel;
import dev.patron.members.Member;
import dev.patron.members.MemberCommand;
import dev.patron.members.MemberKind;
import dev.patron.members.MemberLookup;
import dev.patron.members.MemberManagement;
import dev.patron.members.MemberProfile;
import dev.patron.members.MemberSearch;
import dev.patron.organization.OrganizationManagement;
import dev.patron.shared.web.ConsolePage;
import dev.patron.shared.web.Forms;
import dev.patron.shared.web.ListLinks;
import dev.patron.shared.web.PageQuery;
import dev.patron.shared.web.PatronException;
import dev.patron.shared.web.SelectOption;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.http.HttpStatus;
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

/**
 * The member pages of the console: search (name, pinyin, initials, phone suffix, card number), the
 * 360 page with the panels other modules contribute, the enrol and edit forms, and the
 * call-center lookup that opens a member's page from a phone or card number. Roles, store scope
 * and masking are {@link MemberManagement}'s: the pages show what it returns.
 */
@Controller
@RequestMapping("/members")
class MemberController implements ConsolePage {

    private final MemberManagement members;
    private final OrganizationManagement organization;

    MemberController(MemberManagement members, OrganizationManagement organization) {
        this.members = members;
        this.organization = organization;
    }

    @GetMapping
    String list(
            @RequestParam(required = false) Integer page,
            @RequestParam(required = false) Integer size,
            @RequestParam(required = false) String q,
            @RequestParam(required = false) String sort,
            HttpServletRequest request,
            Model model) {
        PageQuery query = PageQuery.of(page, size, q, sort);
        model.addAttribute("result", members.search(MemberSearch.of(query.q()), query));
        // a name or pinyin term without a sort comes best match first, not by id: no column is marked sorted then
        boolean byId = query.q() == null
                || query.q().isBlank()
                || query.q().replaceAll("[\\s()+-]", "").matches("\\d{4,}");
        model.addAttribute("links", ListLinks.of("/members", query, byId ? "id" : ""));
        model.addAttribute("mayChange", MemberManagement.mayChange());
        if (Forms.wantsFragment(request)) {
            return "members/list :: results";
        }
        return "members/list";
    }

    @GetMapping("/{id:\\d+}")
    String show(@PathVariable long id, Model model) {
        Member member = members.member(id);
        model.addAttribute("member", member);
        model.addAttribute(
                "mayChange", MemberManagement.mayChange() && member.status() == dev.patron.members.MemberStatus.ACTIVE);
        model.addAttribute("consents", MemberPageModel.consents(member));
        model.addAttribute("panels", MemberPageModel.panels(member));
        model.addAttribute("merges", MemberPageModel.merges(members.merges(id), id, MemberMergeController.mayUndo()));
        return "members/member";
    }

    @PostMapping("/{id:\\d+}/notes")
    String addNote(@PathVariable long id, @RequestParam(required = false) String body, RedirectAttributes redirect) {
        members.addNote(id, body);
        redirect.addFlashAttribute("flash", "flash.member.noteAdded");
        return "redirect:/members/" + id + "#notes";
    }

    /** Freezes, reports lost, re-activates or cancels a card (a caller says "I lost my card"). */
    @PostMapping("/{id:\\d+}/cards/{number}/status")
    String cardStatus(
            @PathVariable long id,
            @PathVariable String number,
            @RequestParam CardStatus status,
            RedirectAttributes redirect) {
        members.changeCardStatus(number, status, "console");
        redirect.addFlashAttribute("flash", "flash.card." + status.name());
        redirect.addFlashAttribute("flashArg", number);
        return "redirect:/members/" + id + "#cards";
    }

    /** Replaces a card with a new electronic one; the old card stays in the history as REPLACED. */
    @PostMapping("/{id:\\d+}/cards/{number}/replace")
    String replaceCard(@PathVariable long id, @PathVariable String number, RedirectAttributes redirect) {
        Card card = members.replaceCard(number, null, CardKind.ELECTRONIC, null);
        redirect.addFlashAttribute("flash", "flash.card.replaced");
        redirect.addFlashAttribute("flashArg", card.number());
        return "redirect:/members/" + id + "#cards";
    }

    // ------------------------------------------------------------------ call-center lookup

    /**
     * Opens the member's page for a phone, card number or e-mail typed by an agent; without a
     * number, or when nobody matches, the lookup page with the reason.
     */
    @GetMapping("/lookup")
    String lookup(@RequestParam(required = false) String number, Model model, HttpServletResponse response) {
        model.addAttribute("number", number);
        String n = number == null ? "" : number.strip();
        if (n.isEmpty()) {
            return "members/lookup";
        }
        IdentifierKind kind = n.contains("@")
                ? IdentifierKind.EMAIL
                : n.replaceAll("[\\s()+-]", "").matches("(86)?1\\d{10}") ? IdentifierKind.PHONE : IdentifierKind.CARD;
        Optional<MemberLookup> found;
        try {
            found = members.lookup(kind, null, n);
        } catch (PatronException e) {
            response.setStatus(e.status().value());
            model.addAttribute(
                    "problem",
                    e.fieldErrors().isEmpty()
                            ? e.messageKey()
                            : e.fieldErrors().get(0).messageKey());
            return "members/lookup";
        }
        if (found.isEmpty()) {
            response.setStatus(HttpStatus.NOT_FOUND.value());
            model.addAttribute("problem", "error.members.noMatch");
            return "members/lookup";
        }
        MemberLookup l = found.get();
        if (!l.otherMatches().isEmpty()) {
            model.addAttribute("found", l);
            return "members/lookup";
        }
        return "redirect:/members/" + l.member().id();
    }

    // ------------------------------------------------------------------ enrol and edit

    @GetMapping("/new")
    String newForm(Model model) {
        MemberManagement.requireMayChange();
        model.addAttribute(
                "form",
                new MemberCommand(
                        MemberKind.INDIVIDUAL,
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        JoinChannel.STORE_DESK,
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        null));
        return form(model);
    }

    @PostMapping
    String create(
            @ModelAttribute("form") MemberCommand form,
            BindingResult result,
            Model model,
            HttpServletResponse response,
            RedirectAttributes redirect) {
        MemberManagement.requireMayChange();
        if (result.hasErrors()) {
            Forms.invalid(response);
            return form(model);
        }
        try {
            Member m = members.create(form, form.joinChannel() == null ? JoinChannel.STORE_DESK : form.joinChannel());
            return saved(m, redirect);
        } catch (PatronException e) {
            Forms.reject(result, e, response);
            return form(model);
        }
    }

    @GetMapping("/{id:\\d+}/edit")
    String editForm(@PathVariable long id, Model model) {
        model.addAttribute("form", members.profileForEdit(id));
        model.addAttribute("editing", id);
        return form(model);
    }

    /**
     * Saves the fields the form shows and leaves the rest of the profile as it is. A phone or
     * e-mail left empty by a role that sees them masked (so the form shows them empty) is kept.
     */
    @PostMapping("/{id:\\d+}")
    String update(
            @PathVariable long id,
            @ModelAttribute("form") MemberProfile form,
            BindingResult result,
            Model model,
            HttpServletResponse response,
            RedirectAttributes redirect) {
        MemberManagement.requireMayChange();
        model.addAttribute("editing", id);
        if (result.hasErrors()) {
            Forms.invalid(response);
            return form(model);
        }
        Map<String, Object> changes = new LinkedHashMap<>();
        changes.put("name", form.name());
        if (MemberManagement.seesContactData() || form.phone() != null) {
            changes.put("phone", form.phone());
        }
        if (MemberManagement.seesContactData() || form.email() != null) {
            changes.put("email", form.email());
        }
        changes.put("gender", form.gender() == null ? null : form.gender().name());
        changes.put("birthday", form.birthday() == null ? null : form.birthday().toString());
        changes.put("region", form.region());
        changes.put("city", form.city());
        changes.put("occupation", form.occupation());
        changes.put("preferredStoreCode", form.preferredStoreCode());
        try {
            return saved(members.patch(id, changes, false), redirect);
        } catch (PatronException e) {
            Forms.reject(result, e, response);
            return form(model);
        }
    }

    private String form(Model model) {
        model.addAttribute(
                "stores",
                organization.allStores().stream()
                        .map(s -> new SelectOption(s.code(), s.name() + " (" + s.code() + ")"))
                        .toList());
        model.addAttribute("genders", options(Gender.values(), "members.gender."));
        model.addAttribute("joinChannels", options(JoinChannel.values(), "members.joinChannel."));
        model.addAttribute("seesContactData", MemberManagement.seesContactData());
        return "members/form";
    }

    private static List<SelectOption> options(Enum<?>[] values, String prefix) {
        return Arrays.stream(values)
                .map(v -> new SelectOption(v.name(), prefix + v.name()))
                .toList();
    }

    private static String saved(Member m, RedirectAttributes redirect) {
        redirect.addFlashAttribute("flash", "flash.member.saved");
        redirect.addFlashAttribute("flashArg", m.name());
        return "redirect:/members/" + m.id();
    }
}
