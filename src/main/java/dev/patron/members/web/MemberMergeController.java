package dev.patron.members.web;

import dev.patron.members.MemberManagement;
import dev.patron.members.MergeRecord;
import dev.patron.shared.security.CurrentStaff;
import dev.patron.shared.security.Role;
import dev.patron.shared.web.ConsolePage;
import dev.patron.shared.web.ListLinks;
import dev.patron.shared.web.PageQuery;
import dev.patron.shared.web.PatronException;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/**
 * The merge screen: likely duplicate pairs in the caller's store scope (same phone, e-mail, or
 * name and birthday) side by side, where a manager picks the member to keep; and the undo of a
 * merge from the survivor's page. Roles and scope are {@link MemberManagement}'s (merge: ADMIN or
 * STORE_MANAGER with both members in scope; undo: ADMIN); the page only hides the buttons.
 */
@Controller
@RequestMapping("/members")
class MemberMergeController implements ConsolePage {

    private final MemberManagement members;

    MemberMergeController(MemberManagement members) {
        this.members = members;
    }

    /** Whether the caller may merge members (the API still checks the store scope). */
    static boolean mayMerge() {
        return CurrentStaff.get().hasAnyRole(Role.ADMIN, Role.STORE_MANAGER);
    }

    /** Whether the caller may undo merges. */
    static boolean mayUndo() {
        return CurrentStaff.get().hasAnyRole(Role.ADMIN);
    }

    @GetMapping("/duplicates")
    String duplicates(
            @RequestParam(required = false) Integer page, @RequestParam(required = false) Integer size, Model model) {
        PageQuery query = PageQuery.of(page, size, null, null);
        model.addAttribute("result", members.duplicates(query));
        model.addAttribute("links", ListLinks.of("/members/duplicates", query, "id"));
        model.addAttribute("mayMerge", mayMerge());
        return "members/duplicates";
    }

    /** Merges {@code memberId} into {@code id} (the survivor) and opens the survivor's page. */
    @PostMapping("/{id:\\d+}/merge")
    String merge(@PathVariable long id, @RequestParam(required = false) Long memberId, RedirectAttributes redirect) {
        if (memberId == null) {
            throw PatronException.invalid("memberId", "validation.required");
        }
        MergeRecord merge = members.merge(id, memberId);
        redirect.addFlashAttribute("flash", "flash.member.merged");
        redirect.addFlashAttribute("flashArg", merge.mergedId());
        return "redirect:/members/" + id + "#merges";
    }

    /** Undoes a merge (ADMIN, within the undo window): the merged member is active again. */
    @PostMapping("/{id:\\d+}/merges/{mergeId:\\d+}/undo")
    String undo(@PathVariable long id, @PathVariable long mergeId, RedirectAttributes redirect) {
        MergeRecord merge = members.unmerge(id, mergeId);
        redirect.addFlashAttribute("flash", "flash.member.unmerged");
        redirect.addFlashAttribute("flashArg", merge.mergedId());
        return "redirect:/members/" + id + "#merges";
    }
}
