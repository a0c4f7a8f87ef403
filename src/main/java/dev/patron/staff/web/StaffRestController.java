package dev.patron.staff.web;

import dev.patron.shared.security.CurrentStaff;
import dev.patron.shared.security.Role;
import dev.patron.shared.security.StaffPrincipal;
import dev.patron.shared.web.PageQuery;
import dev.patron.shared.web.PageResult;
import dev.patron.shared.web.PatronException;
import dev.patron.staff.StaffAccount;
import dev.patron.staff.StaffCommand;
import dev.patron.staff.StaffManagement;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import java.net.URI;
import java.util.List;
import java.util.Set;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** REST API for staff accounts (ADMIN with all stores) and for "who am I". */
@RestController
@RequestMapping("/api/v1")
@Tag(name = "Staff", description = "Staff accounts, roles and store scope")
class StaffRestController {

    private final StaffManagement staff;

    StaffRestController(StaffManagement staff) {
        this.staff = staff;
    }

    /** The caller as the server sees it: kind, roles and store scope. */
    record Me(String name, String kind, Set<Role> roles, boolean allStores, List<Long> storeIds) {}

    @GetMapping("/me")
    @Operation(summary = "Who the caller is: roles and store scope of the API key or staff member")
    Me me() {
        StaffPrincipal p = CurrentStaff.get();
        return new Me(
                p.auditName(),
                p.kind().name(),
                p.roles(),
                p.scope().allStores(),
                p.scope().storeIds().stream().sorted().toList());
    }

    @GetMapping("/staff")
    @Operation(summary = "List staff accounts (ADMIN)")
    PageResult<StaffAccount> list(
            @RequestParam(required = false) Integer page,
            @RequestParam(required = false) Integer size,
            @RequestParam(required = false) String q,
            @RequestParam(required = false) String sort,
            @RequestParam(required = false) Role role) {
        return staff.accounts(PageQuery.of(page, size, q, sort), role);
    }

    @GetMapping("/staff/{id}")
    @Operation(summary = "One staff account (ADMIN)")
    StaffAccount get(@PathVariable long id) {
        return staff.account(id).orElseThrow(() -> PatronException.notFound("error.staff.notFound", id));
    }

    @PostMapping("/staff")
    @Operation(summary = "Create a staff account (ADMIN)")
    ResponseEntity<StaffAccount> create(@Valid @RequestBody StaffCommand cmd) {
        StaffAccount a = staff.createAccount(cmd);
        return ResponseEntity.created(URI.create("/api/v1/staff/" + a.id())).body(a);
    }

    @PutMapping("/staff/{id}")
    @Operation(summary = "Change a staff account; a blank password keeps the current one (ADMIN)")
    StaffAccount update(@PathVariable long id, @Valid @RequestBody StaffCommand cmd) {
        return staff.updateAccount(id, cmd);
    }
}
