/**
 * Loyalty: the points program. Every change of a member's points is an immutable ledger entry
 * (earn, reverse, redeem, cancel, expire, adjust, transfer on merge); points are earned in lots with
 * an expiry date and spent from the lots that expire first; the member's balance is kept in
 * {@code loyalty.account} in the same transaction and always equals the sum of the ledger.
 * Points accrue from {@code SalesRecorded} exactly once per sale and are reversed proportionally by
 * returns, through HQ's earn rules ({@link dev.patron.loyalty.EarnRules}: multipliers by tier, store,
 * brand, category, promotions, birthday month, caps; a simulator explains every award). Tiers
 * ({@link dev.patron.loyalty.Tiers}) qualify by rolling 12-month spend or earned points, upgrade at
 * once and downgrade one level at the member's review date. Gifts are reserved against points and
 * stock per store ({@link dev.patron.loyalty.GiftCatalog}); statements, expiry warnings
 * ({@code PointsExpiring}) and the liability report read the ledger and lots.
 * {@link dev.patron.loyalty.LoyaltyManagement} is the API for points.
 */
@org.springframework.modulith.ApplicationModule(
        allowedDependencies = {"shared", "audit", "organization", "staff", "members", "sales"})
package dev.patron.loyalty;
