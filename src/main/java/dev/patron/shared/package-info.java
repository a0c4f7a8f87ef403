/**
 * Technical building blocks every module may use: the database bootstrap (embedded or external
 * PostgreSQL), money and paging types, problem+json error handling, the staff principal and store
 * scope, and the console layout. Nothing business-specific lives here.
 */
@org.springframework.modulith.ApplicationModule(type = org.springframework.modulith.ApplicationModule.Type.OPEN)
package dev.patron.shared;
