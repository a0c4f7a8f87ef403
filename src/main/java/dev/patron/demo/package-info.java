/**
 * The demo data generator: {@code java -jar patron.jar demo --seed 7} fills an empty database with a
 * realistic chain (regions, stores, counters, brands, category tree, staff for every role),
 * deterministically for a seed. Later modules add members and sales to it.
 */
@org.springframework.modulith.ApplicationModule(allowedDependencies = {"shared", "organization", "staff", "members"})
package dev.patron.demo;
