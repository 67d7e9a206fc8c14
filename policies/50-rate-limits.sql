-- Rate limits live in Postgres so they hold across every web process (design §9). The table is
-- private: the app role reaches it only through these functions. Keys are namespaced by the
-- caller, e.g. 'login:ip:41.90.1.2' or 'login:acct:<tenant>:<username>'.
create table if not exists app_private.rate_limits (
  key text primary key,
  failures integer not null default 0,
  window_started_at timestamptz not null default now(),
  locked_until timestamptz,
  updated_at timestamptz not null default now()
);
revoke all on app_private.rate_limits from public, mnetifi_app;

-- The lock in force for a key, if any.
create or replace function app_public.rate_limit_locked_until(p_key text) returns timestamptz
  language sql stable security definer set search_path = pg_catalog, app_private as $$
  select locked_until from app_private.rate_limits where key = p_key and locked_until > now()
$$;

-- Counts one failure. Failures older than the window start a new count; reaching the maximum
-- locks the key for lock_seconds. Returns what the user should be told.
create or replace function app_public.rate_limit_fail(p_key text, p_max integer, p_window_seconds integer, p_lock_seconds integer)
  returns table (failures integer, remaining integer, locked_until timestamptz, just_locked boolean)
  language plpgsql volatile security definer set search_path = pg_catalog, app_private as $$
declare
  r app_private.rate_limits;
begin
  insert into app_private.rate_limits as rl (key, failures, window_started_at)
  values (p_key, 1, now())
  on conflict (key) do update set
    failures = case when rl.window_started_at < now() - make_interval(secs => p_window_seconds)
                      or (rl.locked_until is not null and rl.locked_until <= now()) then 1 else rl.failures + 1 end,
    window_started_at = case when rl.window_started_at < now() - make_interval(secs => p_window_seconds)
                               or (rl.locked_until is not null and rl.locked_until <= now()) then now() else rl.window_started_at end,
    locked_until = case when rl.locked_until <= now() then null else rl.locked_until end,
    updated_at = now()
  returning * into r;
  if r.failures >= p_max and (r.locked_until is null or r.locked_until <= now()) then
    update app_private.rate_limits set locked_until = now() + make_interval(secs => p_lock_seconds)
     where key = p_key returning * into r;
    return query select r.failures, 0, r.locked_until, true;
  else
    return query select r.failures, greatest(p_max - r.failures, 0), r.locked_until, false;
  end if;
end $$;

-- Counts one use of a throttled action (e.g. sending an email) without a lock: returns false
-- when the key has been used p_max times within the window.
create or replace function app_public.rate_limit_take(p_key text, p_max integer, p_window_seconds integer)
  returns table (allowed boolean, retry_after_seconds integer)
  language plpgsql volatile security definer set search_path = pg_catalog, app_private as $$
declare
  r app_private.rate_limits;
begin
  insert into app_private.rate_limits as rl (key, failures, window_started_at)
  values (p_key, 1, now())
  on conflict (key) do update set
    failures = case when rl.window_started_at < now() - make_interval(secs => p_window_seconds) then 1 else rl.failures + 1 end,
    window_started_at = case when rl.window_started_at < now() - make_interval(secs => p_window_seconds) then now() else rl.window_started_at end,
    updated_at = now()
  returning * into r;
  if r.failures > p_max then
    return query select false, greatest(1, ceil(extract(epoch from (r.window_started_at + make_interval(secs => p_window_seconds) - now())))::integer);
  else
    return query select true, 0;
  end if;
end $$;

create or replace function app_public.rate_limit_clear(p_key text) returns void
  language sql volatile security definer set search_path = pg_catalog, app_private as $$
  delete from app_private.rate_limits where key = p_key
$$;

-- Cron: forget counters nobody has touched for a day.
create or replace function app_public.rate_limit_sweep() returns integer
  language sql volatile security definer set search_path = pg_catalog, app_private as $$
  with gone as (
    delete from app_private.rate_limits
     where updated_at < now() - interval '1 day' and (locked_until is null or locked_until < now())
    returning 1
  ) select count(*)::int from gone
$$;

do $$
declare f text;
begin
  foreach f in array array['rate_limit_locked_until(text)', 'rate_limit_fail(text, integer, integer, integer)',
                           'rate_limit_take(text, integer, integer)', 'rate_limit_clear(text)', 'rate_limit_sweep()'] loop
    execute format('revoke all on function app_public.%s from public', f);
    execute format('grant execute on function app_public.%s to mnetifi_app', f);
  end loop;
end $$;
