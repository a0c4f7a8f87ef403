-- Published read views for the reporting modules (segments, analytics, insights, campaigns); see
-- docs/adr/0008-reporting-reads-published-views.md. Plain projections: the planner inlines them.
-- Returns are tickets of kind RETURN with NEGATIVE amounts and quantities.
create view sales.v_sale as
    select id, kind, store_id, member_id, original_sale_id, business_date, occurred_at, gross_fen,
           discount_fen, total_fen, quantity, line_count, source
    from sales.sale;
create view sales.v_sale_line as
    select sale_id, line_no, store_id, business_date, sku, name, brand_id, category_id, counter_id,
           quantity, unit_price_fen, discount_fen, amount_fen, original_line_no, returned_quantity,
           returned_fen
    from sales.sale_line;
create view sales.v_sale_payment as
    select sale_id, seq, method, amount_fen from sales.sale_payment;
create view sales.v_store_traffic as
    select store_id, business_date, visitors from sales.store_traffic;
