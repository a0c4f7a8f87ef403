-- Every accrual, spend and expiry rewrites the member's account row. With full pages each update
-- moved the row to another page and added an entry to account_pkey (a random index page per sale at
-- POS rates); with room left on the page PostgreSQL updates it in place (a HOT update, no index
-- write). Pages written from now on keep 30 % free.
alter table loyalty.account set (fillfactor = 70);
