-- Helpers every policy uses. Applied (idempotently) after each migration run by db/migrate.ts.
-- Roles: mnetifi_owner owns everything and runs migrations; mnetifi_app is what web and
-- worker connect as: NOSUPERUSER, NOBYPASSRLS, owns nothing (db/bootstrap.ts creates them).

create schema if not exists app_public;   -- functions the app role may call
create schema if not exists app_private;  -- helpers the app role may not call
revoke all on schema app_private from public;
revoke create on schema public from public;
grant usage on schema public, app_public, audit to mnetifi_app;

-- The tenant of the current transaction, or null. Never "all tenants".
create or replace function app_public.current_tenant_id() returns uuid
  language sql stable parallel safe
  as $$ select nullif(current_setting('app.tenant_id', true), '')::uuid $$;

create or replace function app_public.current_user_id() returns uuid
  language sql stable parallel safe
  as $$ select nullif(current_setting('app.user_id', true), '')::uuid $$;

-- True only inside withPlatform() (platform console on admin.APP_DOMAIN).
create or replace function app_public.is_platform() returns boolean
  language sql stable parallel safe
  as $$ select coalesce(current_setting('app.is_platform', true), '') = 'on' $$;

-- RLS is forced, so it applies to the owner role too. The owner (migrations, and the narrow
-- SECURITY DEFINER functions that must cross tenants) gets an explicit policy of its own.
create or replace function app_private.owner_policy(tbl regclass) returns void
  language plpgsql as $$
begin
  execute format('drop policy if exists owner_access on %s', tbl);
  execute format('create policy owner_access on %s for all to mnetifi_owner using (true) with check (true)', tbl);
end $$;

-- Secures a table: RLS enabled and forced, one app-role policy for every command with the given
-- condition, the owner's policy, the app role's grants, and (unless opted out) the audit trigger.
create or replace function app_private.secure_table(tbl regclass, policy_name text, condition text, with_audit boolean)
  returns void language plpgsql as $$
begin
  execute format('alter table %s enable row level security', tbl);
  execute format('alter table %s force row level security', tbl);
  execute format('drop policy if exists %I on %s', policy_name, tbl);
  execute format('create policy %I on %s for all to mnetifi_app using (%s) with check (%s)', policy_name, tbl, condition, condition);
  perform app_private.owner_policy(tbl);
  execute format('grant select, insert, update, delete on %s to mnetifi_app', tbl);
  execute format('drop trigger if exists _900_audit on %s', tbl);
  if with_audit then
    execute format('create trigger _900_audit after insert or update or delete on %s
                      for each row execute function audit.log_row_change()', tbl);
  end if;
end $$;

-- Turns a table with tenant_id into an isolated tenant table. Every tenant table must be
-- passed through this (the catalog test checks the result).
create or replace function app_private.secure_tenant_table(tbl regclass, with_audit boolean default true)
  returns void language sql as $$
  select app_private.secure_table(tbl, 'tenant_isolation', 'tenant_id = (select app_public.current_tenant_id())', with_audit)
$$;

-- Global (platform) tables: readable and writable only in the platform context.
create or replace function app_private.secure_platform_table(tbl regclass, with_audit boolean default true)
  returns void language sql as $$
  select app_private.secure_table(tbl, 'platform_only', '(select app_public.is_platform())', with_audit)
$$;

-- Keeps updated_at honest without relying on every query remembering it.
create or replace function app_private.touch_updated_at() returns trigger
  language plpgsql as $$
begin
  new.updated_at := now();
  return new;
end $$;
