/**
 * The audit trail: who changed or looked at what, when and from where. Every change to staff,
 * API keys, organisation data, money and points, and every sensitive read is recorded here by the
 * module that does it; admins browse it in the console.
 */
@org.springframework.modulith.ApplicationModule(allowedDependencies = "shared")
package dev.patron.audit;
