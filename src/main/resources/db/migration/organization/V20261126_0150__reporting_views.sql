-- Published read views for the reporting modules (segments, analytics, insights, campaigns); see
-- docs/adr/0008-reporting-reads-published-views.md. Plain projections: the planner inlines them.
create view organization.v_brand as
    select id, code, name, name_en, category_id, status from organization.brand;
create view organization.v_category as
    select id, code, name, parent_id, depth from organization.category;
