/**
 * The chain's shape and reference data: head office, regions, stores, concession counters (专柜:
 * in a store, run by a supplier, selling brands), brands and the product category tree. Other
 * modules refer to these by id or code; {@link dev.patron.organization.OrganizationManagement} is
 * the API.
 */
@org.springframework.modulith.ApplicationModule(allowedDependencies = {"shared", "audit"})
package dev.patron.organization;
