package dev.patron.members.web;

import dev.patron.members.ConsentSource;
import dev.patron.members.MemberManagement;
import dev.patron.members.PersonalisationCommand;
import dev.patron.shared.web.ConsolePage;
import dev.patron.shared.web.PatronException;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/**
 * The 360 page's personalisation form (beside the consent table): staff record that the member
 * switched personalised recommendations and marketing off, or on again, with where the member
 * asked (PRV-09). Roles and scope are {@link MemberManagement}'s; a bad value comes back inline.
 */
@Controller
@RequestMapping("/members")
class PersonalisationController implements ConsolePage {

    private final MemberManagement members;

    PersonalisationController(MemberManagement members) {
        this.members = members;
    }

    @PostMapping("/{id:\\d+}/personalisation")
    String change(
            @PathVariable long id,
            @RequestParam(required = false) Boolean switchedOff,
            @RequestParam(required = false) String source,
            @RequestParam(required = false) String evidence,
            RedirectAttributes redirect) {
        MemberManagement.requireMayChange();
        ConsentSource s = null;
        if (source != null && !source.isBlank()) {
            try {
                s = ConsentSource.valueOf(source);
            } catch (IllegalArgumentException e) {
                redirect.addFlashAttribute("personalisationError", "members.personalisation.badSource");
                return "redirect:/members/" + id + "#personalisation";
            }
        }
        try {
            members.changePersonalisation(
                    id, new PersonalisationCommand(switchedOff, s, null, evidence), ConsentSource.STORE);
        } catch (PatronException e) {
            if (e.fieldErrors().isEmpty()) {
                throw e;
            }
            redirect.addFlashAttribute(
                    "personalisationError", e.fieldErrors().get(0).messageKey());
            redirect.addFlashAttribute(
                    "personalisationErrorArgs", e.fieldErrors().get(0).args());
            return "redirect:/members/" + id + "#personalisation";
        }
        redirect.addFlashAttribute(
                "flash",
                Boolean.TRUE.equals(switchedOff)
                        ? "members.personalisation.flashOff"
                        : "members.personalisation.flashOn");
        return "redirect:/members/" + id + "#personalisation";
    }
}
