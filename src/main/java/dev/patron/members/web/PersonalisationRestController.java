package dev.patron.members.web;

import dev.patron.members.MemberManagement;
import dev.patron.members.PersonalisationCommand;
import dev.patron.members.PersonalisationEntry;
import dev.patron.members.PersonalisationState;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.List;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The member's "no personalised recommendations / marketing" switch (PRV-09) over REST: read the
 * current choice with its history, and change it (time, source, store and evidence kept, audited).
 */
@RestController
@RequestMapping("/api/v1")
@Tag(name = "Members", description = "Member profiles, cards, identity lookup, consent, duplicates and merges, privacy")
class PersonalisationRestController {

    private final MemberManagement members;

    PersonalisationRestController(MemberManagement members) {
        this.members = members;
    }

    record Personalisation(PersonalisationState current, List<PersonalisationEntry> history) {}

    @GetMapping("/members/{id}/personalisation")
    @Operation(summary = "The member's 'no personalised recommendations / marketing' switch and its history (PRV-09)")
    Personalisation personalisation(@PathVariable long id) {
        return new Personalisation(members.personalisation(id), members.personalisationHistory(id));
    }

    @PutMapping("/members/{id}/personalisation")
    @Operation(
            summary = "Switch personalised recommendations and marketing off (switchedOff true) or on again;"
                    + " campaigns then reach the member only through non-personal targets (MKT-16)"
                    + " and profiling jobs skip the member")
    ResponseEntity<PersonalisationEntry> change(@PathVariable long id, @RequestBody PersonalisationCommand cmd) {
        return ResponseEntity.ok(members.changePersonalisation(id, cmd));
    }
}
