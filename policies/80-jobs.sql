-- Jobs (graphile-worker). The queue is read and locked by its own role, mnetifi_worker, which
-- sees no tenant table; tasks do their tenant work through the app role's pool and withTenant().
-- The app role cannot read or add jobs directly (job payloads carry emails, phone numbers and
-- links of every tenant): it only calls app_public.enqueue_job below.
revoke all on schema graphile_worker from mnetifi_app;
revoke all on all tables in schema graphile_worker from mnetifi_app;
revoke all on all functions in schema graphile_worker from mnetifi_app;
grant usage on schema graphile_worker to mnetifi_worker;
grant select, insert, update, delete on all tables in schema graphile_worker to mnetifi_worker;
grant usage, select on all sequences in schema graphile_worker to mnetifi_worker;
grant execute on all functions in schema graphile_worker to mnetifi_worker;
-- graphile-worker enables RLS on its private tables with no policy (owner-only access): the
-- worker role gets a policy on them. These tables hold jobs, not tenant rows.
do $$
declare t record;
begin
  for t in select c.oid::regclass as tbl from pg_class c join pg_namespace n on n.oid = c.relnamespace
           where n.nspname = 'graphile_worker' and c.relkind = 'r' and c.relrowsecurity loop
    execute format('drop policy if exists worker_access on %s', t.tbl);
    execute format('create policy worker_access on %s for all to mnetifi_worker using (true) with check (true)', t.tbl);
  end loop;
end $$;

-- Enqueue a job for the current tenant inside the caller's transaction, so the job exists if
-- and only if the change that caused it commits. The tenant is taken from the transaction,
-- never from the caller: a tenant cannot enqueue work for another tenant. Job keys and queue
-- names are prefixed with the tenant too, so one ISP can neither replace another's job nor
-- block another's queue (queues serialize jobs, e.g. one router's operations).
drop function if exists app_public.enqueue_job(text, jsonb, timestamptz, text, integer, integer);
create or replace function app_public.enqueue_job(
  task text,
  payload jsonb default '{}'::jsonb,
  run_at timestamptz default null,
  job_key text default null,
  max_attempts integer default null,
  priority integer default null,
  queue_name text default null,
  job_key_mode text default null
) returns bigint
  language plpgsql volatile security definer set search_path = pg_catalog, public as $$
declare
  tid uuid := app_public.current_tenant_id();
  scope text := coalesce(tid::text, 'platform');
  job_id bigint;
begin
  if task !~ '^[a-z][a-z0-9_:.]*$' then
    raise exception 'invalid task name %', task using errcode = '22023';
  end if;
  if tid is null and not app_public.is_platform() then
    raise exception 'enqueue_job needs a tenant or platform context' using errcode = '42501';
  end if;
  if job_key_mode is not null and job_key_mode not in ('replace', 'preserve_run_at', 'unsafe_dedupe') then
    raise exception 'invalid job_key_mode %', job_key_mode using errcode = '22023';
  end if;
  select j.id into job_id from graphile_worker.add_job(
    identifier => task,
    payload => (coalesce(payload, '{}'::jsonb) || jsonb_build_object('tenant_id', tid))::json,
    run_at => run_at,
    job_key => case when job_key is null then null else scope || ':' || job_key end,
    max_attempts => max_attempts,
    priority => priority,
    queue_name => case when queue_name is null then null else scope || ':' || queue_name end,
    job_key_mode => coalesce(job_key_mode, 'replace')) j;
  return job_id;
end $$;
revoke all on function app_public.enqueue_job(text, jsonb, timestamptz, text, integer, integer, text, text) from public;
grant execute on function app_public.enqueue_job(text, jsonb, timestamptz, text, integer, integer, text, text) to mnetifi_app;
