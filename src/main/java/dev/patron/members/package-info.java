/**
 * The member file: individual and institutional members, their cards, the identity table by which
 * a member is found (phone, card, e-mail, external ids), consent per channel, de-duplication with
 * reversible merges, import/export and erasure. {@link dev.patron.members.MemberManagement} is the
 * API; later modules add panels to the 360 view through {@link dev.patron.members.MemberPanel}.
 */
@org.springframework.modulith.ApplicationModule(allowedDependencies = {"shared", "audit", "organization", "staff"})
package dev.patron.members;
