/**
 * Staff accounts, roles and store scope; API keys for integrations; login, sessions and the
 * security rules every page and endpoint goes through. {@link dev.patron.staff.StaffManagement} is
 * the API; {@code SecurityConfiguration} holds the URL rules.
 */
@org.springframework.modulith.ApplicationModule(allowedDependencies = {"shared", "audit", "organization"})
package dev.patron.staff;
