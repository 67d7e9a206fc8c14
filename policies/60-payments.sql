-- M-Pesa: settings, payments, the raw callback inbox and outbound exchanges.
select app_private.secure_tenant_table('public.mpesa_settings');
select app_private.secure_tenant_table('public.payments');
-- The inbox and the exchanges are logs in their own right (raw bodies, kept as they came);
-- copying each into the audit trail would only double them.
select app_private.secure_tenant_table('public.mpesa_callbacks', with_audit => false);
select app_private.secure_tenant_table('public.mpesa_exchanges', with_audit => false);

drop trigger if exists _100_touch on mpesa_settings;
create trigger _100_touch before update on mpesa_settings for each row execute function app_private.touch_updated_at();
drop trigger if exists _100_touch on payments;
create trigger _100_touch before update on payments for each row execute function app_private.touch_updated_at();

-- Daraja's callbacks carry no tenant: the unguessable token in the URL names it. The one
-- cross-tenant lookup a callback needs, and nothing else.
create or replace function app_public.tenant_by_mpesa_callback_token(p_token text) returns uuid
  language sql stable security definer set search_path = pg_catalog, public as $$
  select s.tenant_id from public.mpesa_settings s where s.callback_token = p_token and length(p_token) >= 32 limit 1
$$;
revoke all on function app_public.tenant_by_mpesa_callback_token(text) from public;
grant execute on function app_public.tenant_by_mpesa_callback_token(text) to mnetifi_app;
