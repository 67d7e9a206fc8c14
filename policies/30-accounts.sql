-- ISP staff accounts and their sessions.
select app_private.secure_tenant_table('public.users');
-- Sessions change on every request; logins, logouts and expiries are audited as app events.
select app_private.secure_tenant_table('public.user_sessions', with_audit => false);
-- Single-use tokens and recovery codes carry secrets and churn with every sign-in step; what
-- happens to them is audited as app events (auth.email_verified, auth.2fa_enabled, ...).
select app_private.secure_tenant_table('public.user_tokens', with_audit => false);
select app_private.secure_tenant_table('public.recovery_codes', with_audit => false);

-- Platform console accounts.
select app_private.secure_platform_table('public.platform_users');
select app_private.secure_platform_table('public.platform_sessions', with_audit => false);
select app_private.secure_platform_table('public.platform_settings');
insert into public.platform_settings (id) values (1) on conflict do nothing;

drop trigger if exists _100_touch on users;
create trigger _100_touch before update on users for each row execute function app_private.touch_updated_at();
drop trigger if exists _100_touch on platform_users;
create trigger _100_touch before update on platform_users for each row execute function app_private.touch_updated_at();

-- Cron sweep across tenants: deletes only sessions that are already expired.
create or replace function app_public.sweep_expired_user_sessions() returns integer
  language sql volatile security definer set search_path = pg_catalog, public as $$
  with gone as (
    delete from public.user_sessions where idle_expires_at < now() or absolute_expires_at < now() returning 1
  ) select count(*)::int from gone
$$;
revoke all on function app_public.sweep_expired_user_sessions() from public;
grant execute on function app_public.sweep_expired_user_sessions() to mnetifi_app;
