-- Set on the merged member's account, under the account lock, when a merge moves its points or tier
-- (cleared by an un-merge): a sale of that member accrued or counted after the merge goes to the
-- survivor instead of stranding points on an account nobody can use.
alter table loyalty.account add column merged_into bigint;
