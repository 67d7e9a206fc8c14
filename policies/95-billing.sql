-- SaaS billing: the platform's tiers, its own M-Pesa inbox, and each ISP's invoices, payments
-- and reminders. Every billing change runs in the platform context (entered into one ISP for
-- its rows), so an ISP's own requests can read their billing but never write it.

-- Tiers are the public price list: every context may read them (the ISP's payment page, the
-- tier gate inside an ISP's transaction); only the platform may change them.
alter table billing_tiers enable row level security;
alter table billing_tiers force row level security;
drop policy if exists tiers_read on billing_tiers;
create policy tiers_read on billing_tiers for select to mnetifi_app using (true);
drop policy if exists platform_write on billing_tiers;
create policy platform_write on billing_tiers for all to mnetifi_app
  using ((select app_public.is_platform())) with check ((select app_public.is_platform()));
select app_private.owner_policy('public.billing_tiers');
grant select, insert, update, delete on billing_tiers to mnetifi_app;
drop trigger if exists _900_audit on billing_tiers;
create trigger _900_audit after insert or update or delete on billing_tiers
  for each row execute function audit.log_row_change();
drop trigger if exists _100_touch on billing_tiers;
create trigger _100_touch before update on billing_tiers for each row execute function app_private.touch_updated_at();

-- The default tiers (issue 8); the super admin edits them in the console afterwards.
insert into public.billing_tiers (id, name, description, registration_fee_cents, monthly_cents, features, max_technicians, single_service, sort_order)
values
  ('starter', 'Starter', 'Hotspot or PPPoE/static, one technician account.', 50000, 50000, '{hotspot,pppoe}', 1, true, 10),
  ('premium', 'Premium', 'Every feature, unlimited technicians, SMS and WhatsApp broadcasts.', 0, 150000, '{hotspot,pppoe,sms_broadcasts,whatsapp_broadcasts}', null, false, 20)
on conflict (id) do nothing;

-- The platform's M-Pesa inbox: platform data, never an ISP's (no row audit: it is a log itself).
select app_private.secure_platform_table('public.platform_mpesa_callbacks', with_audit => false);

select app_private.secure_tenant_table('public.billing_invoices');
select app_private.secure_tenant_table('public.billing_payments');
select app_private.secure_tenant_table('public.billing_reminders');
drop trigger if exists _100_touch on billing_invoices;
create trigger _100_touch before update on billing_invoices for each row execute function app_private.touch_updated_at();
drop trigger if exists _100_touch on billing_payments;
create trigger _100_touch before update on billing_payments for each row execute function app_private.touch_updated_at();

grant usage on sequence public.billing_document_number_seq to mnetifi_app;
