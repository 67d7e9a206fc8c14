-- Hotspot: plans, settings, vouchers (and their devices), batches.
select app_private.secure_tenant_table('public.hotspot_plans');
select app_private.secure_tenant_table('public.hotspot_settings');
select app_private.secure_tenant_table('public.voucher_batches');
select app_private.secure_tenant_table('public.vouchers');
-- Touched on every login of every device: its own log, not row-audited.
select app_private.secure_tenant_table('public.voucher_devices', with_audit => false);

do $$
declare t text;
begin
  foreach t in array array['hotspot_plans', 'hotspot_settings', 'vouchers'] loop
    execute format('drop trigger if exists _100_touch on %I', t);
    execute format('create trigger _100_touch before update on %I for each row execute function app_private.touch_updated_at()', t);
  end loop;
end $$;

-- Voucher codes are unique across ALL ISPs (a customer must never be able to use another ISP's
-- code by accident, and codes stay unambiguous in support). The registry lives outside any
-- tenant's reach; every voucher insert claims its code here first, inside the same transaction.
create table if not exists app_private.voucher_codes (
  code text primary key,
  tenant_id uuid not null references public.tenants(id) on delete cascade,
  claimed_at timestamptz not null default now()
);
revoke all on app_private.voucher_codes from public;

create or replace function app_private.claim_voucher_code() returns trigger
  language plpgsql security definer set search_path = pg_catalog, public as $$
begin
  if new.code is distinct from old.code or tg_op = 'INSERT' then
    insert into app_private.voucher_codes (code, tenant_id) values (new.code, new.tenant_id);
  end if;
  return new;
exception when unique_violation then
  raise exception 'voucher code % is already taken', new.code using errcode = '23505', constraint = 'voucher_codes_pkey';
end $$;
revoke all on function app_private.claim_voucher_code() from public;
drop trigger if exists _050_claim_code on vouchers;
create trigger _050_claim_code before insert or update of code on vouchers
  for each row execute function app_private.claim_voucher_code();

-- Portal purchases: written by anonymous portal visitors inside the ISP's tenant context.
select app_private.secure_tenant_table('public.hotspot_purchases');

-- Free trials: one per device and per phone, per ISP (unique keys), given by the portal.
select app_private.secure_tenant_table('public.hotspot_trials');
