-- tenants: a tenant context may read its own row; only the platform may change any row (status,
-- trial and billing dates must never be writable by the ISP itself).
alter table tenants enable row level security;
alter table tenants force row level security;
drop policy if exists tenant_self on tenants;
drop policy if exists tenant_read_self on tenants;
create policy tenant_read_self on tenants for select to mnetifi_app
  using (id = (select app_public.current_tenant_id()) or (select app_public.is_platform()));
drop policy if exists platform_write on tenants;
create policy platform_write on tenants for all to mnetifi_app
  using ((select app_public.is_platform())) with check ((select app_public.is_platform()));
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

-- Email verification starts the trial: the one change of its own tenants row an ISP's context
-- may make, and only from 'pending'. The trial length is the platform's setting.
create or replace function app_public.start_trial() returns timestamptz
  language plpgsql volatile security definer set search_path = pg_catalog, public as $$
declare
  ends timestamptz;
begin
  update public.tenants t
     set status = 'trial', verified_at = now(),
         trial_ends_at = now() + make_interval(hours => (select s.trial_hours from public.platform_settings s where s.id = 1))
   where t.id = app_public.current_tenant_id() and t.status = 'pending'
  returning t.trial_ends_at into ends;
  return ends;
end $$;
revoke all on function app_public.start_trial() from public;
grant execute on function app_public.start_trial() to mnetifi_app;
