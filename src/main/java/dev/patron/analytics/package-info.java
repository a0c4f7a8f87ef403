/**
 * Analytics: the customer dashboards of the console and their JSON/CSV API. Customer structure (age
 * band, gender, city, join channel, tier), new vs returning customers per month, purchase behaviour
 * (purchase interval and frequency, average ticket, brand and category shares, repeat-purchase rate,
 * return-to-counter rate 回柜率) and cohort retention by join month. {@link
 * dev.patron.analytics.Analytics} is the API; every figure is set-based SQL over the owners'
 * published {@code v_*} views (docs/adr/0008-reporting-reads-published-views.md), limited to the
 * caller's store scope. Definitions: docs/analytics.md.
 */
@org.springframework.modulith.ApplicationModule(
        allowedDependencies = {"shared", "audit", "organization", "staff", "members", "sales", "loyalty"})
package dev.patron.analytics;
