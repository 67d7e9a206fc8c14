-- Network structure: zones (routers and technicians attach to them in later migrations).
select app_private.secure_tenant_table('public.zones');
drop trigger if exists _100_touch on zones;
create trigger _100_touch before update on zones for each row execute function app_private.touch_updated_at();

select app_private.secure_tenant_table('public.routers');
drop trigger if exists _100_touch on routers;
create trigger _100_touch before update on routers for each row execute function app_private.touch_updated_at();

-- Geography: region → area → zone.
select app_private.secure_tenant_table('public.regions');
drop trigger if exists _100_touch on regions;
create trigger _100_touch before update on regions for each row execute function app_private.touch_updated_at();
select app_private.secure_tenant_table('public.areas');
drop trigger if exists _100_touch on areas;
create trigger _100_touch before update on areas for each row execute function app_private.touch_updated_at();

-- Monitoring: a sample per poll and the online/offline history. Both are logs written by the
-- monitoring job on every poll, so they are not row-audited (status changes are app events).
select app_private.secure_tenant_table('public.router_samples', with_audit => false);
select app_private.secure_tenant_table('public.router_status_changes', with_audit => false);

-- Provisioning: the desired state is audited (who changed what should be on a router); the
-- operations outbox is a log of its own with attempts, results and errors.
select app_private.secure_tenant_table('public.router_items');
drop trigger if exists _100_touch on router_items;
create trigger _100_touch before update on router_items for each row execute function app_private.touch_updated_at();
select app_private.secure_tenant_table('public.router_operations', with_audit => false);
grant usage on sequence public.router_operations_seq_seq to mnetifi_app;

-- A pending operation wakes its router's sync job (one per router: job key and queue). Enqueued
-- at commit (a deferred trigger) rather than where the operation is written: the job key's row is
-- locked by whoever enqueues until their commit, so enqueuing early would make every concurrent
-- transaction that touches the same router (fifty portal purchases) wait for each other's whole
-- work instead of only each other's commit.
create or replace function app_private.wake_router_sync() returns trigger
  language plpgsql set search_path = pg_catalog, public as $$
begin
  if new.status = 'pending' then
    perform app_public.enqueue_job('router_sync', jsonb_build_object('routerId', new.router_id),
      job_key => 'router_sync:' || new.router_id, queue_name => 'router:' || new.router_id);
  end if;
  return null;
end $$;
drop trigger if exists _900_wake_router_sync on public.router_operations;
create constraint trigger _900_wake_router_sync after insert on public.router_operations
  deferrable initially deferred for each row execute function app_private.wake_router_sync();

-- The monitoring and drift-repair sweeps run for every ISP: this lists which ISPs have routers
-- to look after (ids only), so a platform job can enter each tenant and queue its per-router jobs.
create or replace function app_public.tenants_with_verified_routers() returns setof uuid
  language sql stable security definer set search_path = pg_catalog, public as $$
  select distinct r.tenant_id from public.routers r
   where r.verified_at is not null and app_public.is_platform()
$$;
revoke all on function app_public.tenants_with_verified_routers() from public;
grant execute on function app_public.tenants_with_verified_routers() to mnetifi_app;
