package dev.patron.staff.web;

import dev.patron.staff.ApiKeyCommand;
import dev.patron.staff.ApiKeyInfo;
import dev.patron.staff.CreatedApiKey;
import dev.patron.staff.StaffManagement;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import java.net.URI;
import java.util.List;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** REST API for integration keys (ADMIN with all stores). The secret is in the create response only. */
@RestController
@RequestMapping("/api/v1/api-keys")
@Tag(name = "API keys", description = "Keys for POS, ERP and e-commerce integrations")
class ApiKeyRestController {

    private final StaffManagement staff;

    ApiKeyRestController(StaffManagement staff) {
        this.staff = staff;
    }

    @GetMapping
    @Operation(summary = "List API keys, active first (never their secrets)")
    List<ApiKeyInfo> list() {
        return staff.apiKeys();
    }

    @PostMapping
    @Operation(summary = "Create a key with roles and store scope; the response shows the secret once")
    ResponseEntity<CreatedApiKey> create(@Valid @RequestBody ApiKeyCommand cmd) {
        CreatedApiKey created = staff.createApiKey(cmd);
        return ResponseEntity.created(
                        URI.create("/api/v1/api-keys/" + created.key().id()))
                .body(created);
    }

    @DeleteMapping("/{id}")
    @Operation(summary = "Revoke a key; it stops working at once")
    ResponseEntity<Void> revoke(@PathVariable long id) {
        staff.revokeApiKey(id);
        return ResponseEntity.noContent().build();
    }
}
