/**
 * Loyalty: the points program. Every change of a member's points is an immutable ledger entry
 * (earn, reverse, redeem, cancel, expire, adjust, transfer on merge); points are earned in lots with
 * an expiry date and spent from the lots that expire first; the member's balance is kept in
 * {@code loyalty.account} in the same transaction and always equals the sum of the ledger.
 * Points accrue from {@code SalesRecorded} exactly once per sale and are reversed proportionally by
 * returns. {@link dev.patron.loyalty.LoyaltyManagement} is the API.
 */
@org.springframework.modulith.ApplicationModule(
        allowedDependencies = {"shared", "audit", "organization", "staff", "members", "sales"})
package dev.patron.loyalty;
