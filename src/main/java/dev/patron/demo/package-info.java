/**
 * The demo data generator: {@code java -jar patron.jar demo --seed 7} fills an empty database with a
 * realistic chain (regions, stores, counters, brands, category tree, staff for every role),
 * deterministically for a seed. with members and about a year of sales (seasonality, brand preferences, returns).
 */
@org.springframework.modulith.ApplicationModule(
        allowedDependencies = {"shared", "organization", "staff", "members", "sales"})
package dev.patron.demo;
