package dev.patron.organization.web;

import dev.patron.organization.Brand;
import dev.patron.organization.BrandCommand;
import dev.patron.organization.Category;
import dev.patron.organization.CategoryCommand;
import dev.patron.organization.Counter;
import dev.patron.organization.CounterCommand;
import dev.patron.organization.HeadOffice;
import dev.patron.organization.HeadOfficeCommand;
import dev.patron.organization.OrganizationCounts;
import dev.patron.organization.OrganizationManagement;
import dev.patron.organization.Region;
import dev.patron.organization.RegionCommand;
import dev.patron.organization.Store;
import dev.patron.organization.StoreCommand;
import dev.patron.shared.web.PageQuery;
import dev.patron.shared.web.PageResult;
import dev.patron.shared.web.PatronException;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import java.net.URI;
import java.util.List;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * REST API of the organisation: regions, stores, counters, brands and categories, addressed by
 * code. Lists are paged ({@code page}, {@code size}, {@code q}, {@code sort=name} or {@code -name}).
 */
@RestController
@RequestMapping("/api/v1")
@Tag(name = "Organisation", description = "Regions, stores, concession counters, brands and the category tree")
class OrganizationRestController {

    private final OrganizationManagement organization;

    OrganizationRestController(OrganizationManagement organization) {
        this.organization = organization;
    }

    @GetMapping("/organization/counts")
    @Operation(summary = "How many regions, stores, counters, brands and categories the caller can see")
    OrganizationCounts counts() {
        return organization.counts();
    }

    // ---- head office

    @GetMapping("/head-office")
    @Operation(summary = "The head office: name, legal entity, time zone, currency")
    HeadOffice headOffice() {
        return organization.headOffice();
    }

    @PutMapping("/head-office")
    @Operation(summary = "Change the head office's details (ADMIN with all stores)")
    HeadOffice updateHeadOffice(@Valid @RequestBody HeadOfficeCommand cmd) {
        return organization.updateHeadOffice(cmd);
    }

    // ---- regions

    @GetMapping("/regions")
    @Operation(summary = "List regions")
    PageResult<Region> regions(
            @RequestParam(required = false) Integer page,
            @RequestParam(required = false) Integer size,
            @RequestParam(required = false) String q,
            @RequestParam(required = false) String sort) {
        return organization.regions(PageQuery.of(page, size, q, sort));
    }

    @GetMapping("/regions/{code}")
    @Operation(summary = "One region by code")
    Region region(@PathVariable String code) {
        return organization.region(code).orElseThrow(() -> PatronException.notFound("error.region.notFound", code));
    }

    @PostMapping("/regions")
    @Operation(summary = "Create a region (ADMIN with all stores)")
    ResponseEntity<Region> createRegion(@Valid @RequestBody RegionCommand cmd) {
        Region r = organization.createRegion(cmd);
        return ResponseEntity.created(URI.create("/api/v1/regions/" + r.code())).body(r);
    }

    @PutMapping("/regions/{code}")
    @Operation(summary = "Change a region (ADMIN with all stores)")
    Region updateRegion(@PathVariable String code, @Valid @RequestBody RegionCommand cmd) {
        return organization.updateRegion(code, cmd);
    }

    // ---- stores

    @GetMapping("/stores")
    @Operation(summary = "List the stores in the caller's store scope; q matches code, name or city")
    PageResult<Store> stores(
            @RequestParam(required = false) Integer page,
            @RequestParam(required = false) Integer size,
            @RequestParam(required = false) String q,
            @RequestParam(required = false) String sort,
            @RequestParam(required = false) String region) {
        return organization.stores(PageQuery.of(page, size, q, sort), region);
    }

    @GetMapping("/stores/{code}")
    @Operation(summary = "One store by code (403 outside the caller's scope)")
    Store store(@PathVariable String code) {
        return organization.store(code).orElseThrow(() -> PatronException.notFound("error.store.notFound", code));
    }

    @PostMapping("/stores")
    @Operation(summary = "Create a store (ADMIN with all stores)")
    ResponseEntity<Store> createStore(@Valid @RequestBody StoreCommand cmd) {
        Store s = organization.createStore(cmd);
        return ResponseEntity.created(URI.create("/api/v1/stores/" + s.code())).body(s);
    }

    @PutMapping("/stores/{code}")
    @Operation(summary = "Change a store (ADMIN with all stores)")
    Store updateStore(@PathVariable String code, @Valid @RequestBody StoreCommand cmd) {
        return organization.updateStore(code, cmd);
    }

    // ---- counters

    @GetMapping("/counters")
    @Operation(summary = "List counters in the caller's store scope; filter by store or brand code")
    PageResult<Counter> counters(
            @RequestParam(required = false) Integer page,
            @RequestParam(required = false) Integer size,
            @RequestParam(required = false) String q,
            @RequestParam(required = false) String sort,
            @RequestParam(required = false) String store,
            @RequestParam(required = false) String brand) {
        return organization.counters(PageQuery.of(page, size, q, sort), store, brand);
    }

    @GetMapping("/counters/{code}")
    @Operation(summary = "One counter by code (403 outside the caller's scope)")
    Counter counter(@PathVariable String code) {
        return organization.counter(code).orElseThrow(() -> PatronException.notFound("error.counter.notFound", code));
    }

    @PostMapping("/counters")
    @Operation(summary = "Create a counter in a store (ADMIN, or STORE_MANAGER of that store)")
    ResponseEntity<Counter> createCounter(@Valid @RequestBody CounterCommand cmd) {
        Counter c = organization.createCounter(cmd);
        return ResponseEntity.created(URI.create("/api/v1/counters/" + c.code()))
                .body(c);
    }

    @PutMapping("/counters/{code}")
    @Operation(summary = "Change a counter (ADMIN, or STORE_MANAGER of its store)")
    Counter updateCounter(@PathVariable String code, @Valid @RequestBody CounterCommand cmd) {
        return organization.updateCounter(code, cmd);
    }

    // ---- brands

    @GetMapping("/brands")
    @Operation(summary = "List brands; q matches code or names")
    PageResult<Brand> brands(
            @RequestParam(required = false) Integer page,
            @RequestParam(required = false) Integer size,
            @RequestParam(required = false) String q,
            @RequestParam(required = false) String sort) {
        return organization.brands(PageQuery.of(page, size, q, sort));
    }

    @GetMapping("/brands/{code}")
    @Operation(summary = "One brand by code")
    Brand brand(@PathVariable String code) {
        return organization.brand(code).orElseThrow(() -> PatronException.notFound("error.brand.notFound", code));
    }

    @PostMapping("/brands")
    @Operation(summary = "Create a brand (ADMIN with all stores)")
    ResponseEntity<Brand> createBrand(@Valid @RequestBody BrandCommand cmd) {
        Brand b = organization.createBrand(cmd);
        return ResponseEntity.created(URI.create("/api/v1/brands/" + b.code())).body(b);
    }

    @PutMapping("/brands/{code}")
    @Operation(summary = "Change a brand (ADMIN with all stores)")
    Brand updateBrand(@PathVariable String code, @Valid @RequestBody BrandCommand cmd) {
        return organization.updateBrand(code, cmd);
    }

    // ---- categories

    @GetMapping("/categories")
    @Operation(summary = "The whole category tree in display order (each parent followed by its children)")
    List<Category> categories() {
        return organization.categoryTree();
    }

    @GetMapping("/categories/{code}")
    @Operation(summary = "One category by code")
    Category category(@PathVariable String code) {
        return organization.category(code).orElseThrow(() -> PatronException.notFound("error.category.notFound", code));
    }

    @PostMapping("/categories")
    @Operation(summary = "Create a category, top-level or under parentCode (ADMIN with all stores)")
    ResponseEntity<Category> createCategory(@Valid @RequestBody CategoryCommand cmd) {
        Category c = organization.createCategory(cmd);
        return ResponseEntity.created(URI.create("/api/v1/categories/" + c.code()))
                .body(c);
    }

    @PutMapping("/categories/{code}")
    @Operation(summary = "Rename or move a category (ADMIN with all stores)")
    Category updateCategory(@PathVariable String code, @Valid @RequestBody CategoryCommand cmd) {
        return organization.updateCategory(code, cmd);
    }
}
