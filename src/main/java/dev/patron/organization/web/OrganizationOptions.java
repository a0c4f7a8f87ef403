package dev.patron.organization.web;

import dev.patron.organization.Category;
import dev.patron.organization.OrganizationManagement;
import dev.patron.shared.web.SelectOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.springframework.stereotype.Component;

/** Choices for the organisation forms' selects, each labelled "name (CODE)". */
@Component
class OrganizationOptions {

    private final OrganizationManagement organization;

    OrganizationOptions(OrganizationManagement organization) {
        this.organization = organization;
    }

    List<SelectOption> regions() {
        return organization.allRegions().stream()
                .map(r -> new SelectOption(r.code(), label(r.name(), r.code())))
                .toList();
    }

    /** Stores in the caller's scope. */
    List<SelectOption> stores() {
        return organization.allStores().stream()
                .map(s -> new SelectOption(s.code(), label(s.name(), s.code())))
                .toList();
    }

    List<SelectOption> brands() {
        return organization.allBrands().stream()
                .map(b -> new SelectOption(b.code(), label(b.name(), b.code())))
                .toList();
    }

    /** The category tree in display order, indented by depth; {@code except} (and its subtree) left out. */
    List<SelectOption> categories(String except) {
        List<Category> tree = organization.categoryTree();
        List<SelectOption> options = new ArrayList<>();
        int skipBelow = -1;
        for (Category c : tree) {
            if (skipBelow >= 0 && c.depth() > skipBelow) {
                continue;
            }
            skipBelow = -1;
            if (c.code().equals(except)) {
                skipBelow = c.depth();
                continue;
            }
            options.add(new SelectOption(c.code(), "\u3000".repeat(c.depth()) + label(c.name(), c.code())));
        }
        return options;
    }

    static List<SelectOption> statuses(String... statuses) {
        return Arrays.stream(statuses)
                .map(s -> new SelectOption(s, "status." + s))
                .toList();
    }

    private static String label(String name, String code) {
        return name + " (" + code + ")";
    }
}
