-- Audit trail (design §5): append-only for the app role; secrets never stored.

create or replace function audit.redact(row_data jsonb) returns jsonb
  language sql immutable as $$
  select coalesce(jsonb_object_agg(key,
           case when key ~* '(password|secret|token|passkey|api_key|_enc$|encrypted|totp|recovery|_hash$|^data$)'
                then to_jsonb('[redacted]'::text) else value end), '{}'::jsonb)
  from jsonb_each(row_data)
$$;

-- Generic row-change trigger. For UPDATE it records only the changed fields ({field: {from, to}}).
-- SECURITY DEFINER: row-change records are written with the owner's rights, so the app role
-- itself can only ever add app events (see audit_append below), never forge a row change.
create or replace function audit.log_row_change() returns trigger
  language plpgsql security definer set search_path = pg_catalog, public, audit as $$
declare
  raw_new jsonb := case when tg_op <> 'DELETE' then to_jsonb(new) end;
  raw_old jsonb := case when tg_op <> 'INSERT' then to_jsonb(old) end;
  any_row jsonb := coalesce(raw_new, raw_old);
  diff jsonb;
  row_tenant uuid;
begin
  if tg_op = 'UPDATE' then
    -- Compare the real values (a changed password must show as changed), then redact.
    select jsonb_object_agg(n.key, jsonb_build_object('from', ro.value, 'to', rn.value))
      into diff
      from jsonb_each(raw_new) n
      join jsonb_each(raw_old) o using (key)
      join jsonb_each(audit.redact(raw_new)) rn using (key)
      join jsonb_each(audit.redact(raw_old)) ro using (key)
     where n.value is distinct from o.value and n.key not in ('updated_at', 'last_login_at');
    -- Nothing but bookkeeping changed (sign-ins are audited as events of their own).
    if diff is null then return null; end if;
  else
    diff := audit.redact(any_row);
  end if;
  -- For the tenants table the row *is* the tenant.
  row_tenant := case when tg_table_name = 'tenants' then (any_row->>'id')::uuid
                     else (any_row->>'tenant_id')::uuid end;
  insert into audit.events (tenant_id, actor_kind, actor_id, impersonator_id, action,
                            table_name, row_id, changes, request_id, ip, user_agent)
  values (row_tenant,
          coalesce(nullif(current_setting('app.actor_kind', true), ''),
                   case when app_public.current_user_id() is null then 'system' else 'user' end),
          app_public.current_user_id(),
          nullif(current_setting('app.impersonator_id', true), '')::uuid,
          tg_op, tg_table_name, any_row->>'id', diff,
          nullif(current_setting('app.request_id', true), ''),
          nullif(current_setting('app.ip', true), ''),
          nullif(current_setting('app.user_agent', true), ''));
  return null;
end $$;

alter table audit.events enable row level security;
alter table audit.events force row level security;
drop policy if exists audit_read on audit.events;
create policy audit_read on audit.events for select to mnetifi_app
  using (tenant_id = (select app_public.current_tenant_id()) or (select app_public.is_platform()));
drop policy if exists audit_append on audit.events;
create policy audit_append on audit.events for insert to mnetifi_app
  with check (
    -- app events only (row changes come from the trigger), in the caller's own tenant,
    -- and only the platform context may write events in the name of platform users
    table_name is null and row_id is null and action !~ '^(INSERT|UPDATE|DELETE)$'
    and (tenant_id is not distinct from (select app_public.current_tenant_id()) or (select app_public.is_platform()))
    and (actor_kind <> 'platform_user' or (select app_public.is_platform())));
select app_private.owner_policy('audit.events');
revoke all on audit.events from mnetifi_app;
grant select, insert on audit.events to mnetifi_app;
grant usage on sequence audit.events_id_seq to mnetifi_app;
