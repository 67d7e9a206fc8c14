-- tenants: a tenant context sees its own row; the platform sees all.
alter table tenants enable row level security;
alter table tenants force row level security;
drop policy if exists tenant_self on tenants;
create policy tenant_self on tenants for all to mnetifi_app
  using (id = (select app_public.current_tenant_id()) or (select app_public.is_platform()))
  with check (id = (select app_public.current_tenant_id()) or (select app_public.is_platform()));
select app_private.owner_policy('public.tenants');
grant select, insert, update, delete on tenants to mnetifi_app;
drop trigger if exists _900_audit on tenants;
create trigger _900_audit after insert or update or delete on tenants
  for each row execute function audit.log_row_change();
drop trigger if exists _100_touch on tenants;
create trigger _100_touch before update on tenants
  for each row execute function app_private.touch_updated_at();

-- Host resolution happens before any tenant is known: the one narrow cross-tenant lookup.
create or replace function app_public.tenant_by_slug(p_slug text)
  returns table (id uuid, slug text, business_name text, status text, timezone text)
  language sql stable security definer set search_path = pg_catalog, public as $$
  select t.id, t.slug, t.business_name, t.status, t.timezone from public.tenants t where t.slug = lower(p_slug)
$$;
revoke all on function app_public.tenant_by_slug(text) from public;
grant execute on function app_public.tenant_by_slug(text) to mnetifi_app;
