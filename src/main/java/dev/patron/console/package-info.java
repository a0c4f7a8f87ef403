/**
 * The web console's own pages: sign-in, the home dashboard with live counts and charts, the
 * language switch, the error pages, the audit log and "change my password". Pages of a business
 * module live in that module's {@code web} package; this module only ties them together (and its
 * console tests drive those pages, checking the outcome through the modules' APIs, e.g. members).
 */
@org.springframework.modulith.ApplicationModule(
        allowedDependencies = {"shared", "organization", "staff", "audit", "members"})
package dev.patron.console;
