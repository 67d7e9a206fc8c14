-- Messaging: customers, providers, templates, the message outbox, broadcasts, tickets.
select app_private.secure_tenant_table('public.customers');
select app_private.secure_tenant_table('public.messaging_settings');
select app_private.secure_tenant_table('public.messaging_providers');
select app_private.secure_tenant_table('public.notification_settings');
select app_private.secure_tenant_table('public.message_templates');
select app_private.secure_tenant_table('public.broadcasts');
select app_private.secure_tenant_table('public.tickets');
-- Every message changes state several times (queued, sent, delivered): the table is its own log.
select app_private.secure_tenant_table('public.messages', with_audit => false);

do $$
declare t text;
begin
  foreach t in array array['customers', 'messaging_settings', 'messaging_providers', 'notification_settings', 'message_templates', 'broadcasts', 'tickets', 'messages'] loop
    execute format('drop trigger if exists _100_touch on %I', t);
    execute format('create trigger _100_touch before update on %I for each row execute function app_private.touch_updated_at()', t);
  end loop;
end $$;

-- Delivery reports and replies carry no tenant: the unguessable token in the webhook URL names it.
create or replace function app_public.tenant_by_messaging_token(p_token text) returns uuid
  language sql stable security definer set search_path = pg_catalog, public as $$
  select s.tenant_id from public.messaging_settings s where s.webhook_token = p_token and length(p_token) >= 32 limit 1
$$;
revoke all on function app_public.tenant_by_messaging_token(text) from public;
grant execute on function app_public.tenant_by_messaging_token(text) to mnetifi_app;

-- Delivery reports that beat the send job to it: a short-lived buffer, not audited.
select app_private.secure_tenant_table('public.early_delivery_reports', with_audit => false);
