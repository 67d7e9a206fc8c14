-- The platform console (issue 8): impersonation, the support chat, and the aggregates the console
-- reads across ISPs. Every SECURITY DEFINER here is listed in db/catalog.ts REVIEWED_DEFINERS.

-- Impersonations live with the ISP they are about (its own context reads them: who entered, why).
select app_private.secure_tenant_table('public.impersonations');
-- Support chat: messages are row-audited; the thread row changes on every read (audited as
-- nothing: a read is not an action), so it is exempt.
select app_private.secure_tenant_table('public.support_messages');
select app_private.secure_tenant_table('public.support_threads', with_audit => false);

-- Every app event written while an admin acts as an ISP carries that admin, even when the code
-- that records it does not know (recordEvent callers pass the ISP user as the actor). withTenant()
-- sets app.impersonator_id for the whole transaction; row changes already read it in
-- audit.log_row_change. Not a definer: it only fills the row being inserted.
create or replace function audit.stamp_impersonator() returns trigger
  language plpgsql as $$
begin
  new.impersonator_id := coalesce(new.impersonator_id, nullif(current_setting('app.impersonator_id', true), '')::uuid);
  return new;
end $$;
drop trigger if exists _100_impersonator on audit.events;
create trigger _100_impersonator before insert on audit.events
  for each row execute function audit.stamp_impersonator();

-- Per-ISP usage for the console's ISP list and detail (design §4: platform statistics come from
-- aggregate functions, not raw cross-tenant reads). Returns counts and sums only, never rows, and
-- nothing at all outside the platform context. p_tenant narrows it to one ISP.
create or replace function app_public.platform_tenant_usage(p_since timestamptz, p_tenant uuid default null)
  returns table (tenant_id uuid, customers integer, routers_total integer, routers_online integer,
                 active_vouchers integer, vouchers_sold integer, messages_sent integer,
                 revenue_cents bigint, payments_paid integer, last_activity_at timestamptz)
  language sql stable security definer set search_path = pg_catalog, public, audit as $$
  select t.id,
         coalesce(c.n, 0), coalesce(r.total, 0), coalesce(r.online, 0),
         coalesce(v.active, 0), coalesce(v.sold, 0), coalesce(m.sent, 0),
         coalesce(p.cents, 0), coalesce(p.n, 0),
         greatest(a.at, s.at)
    from public.tenants t
    left join (select x.tenant_id, count(*)::int as n from public.customers x group by 1) c on c.tenant_id = t.id
    left join (select x.tenant_id, count(*)::int as total, (count(*) filter (where x.status = 'online'))::int as online
                 from public.routers x group by 1) r on r.tenant_id = t.id
    left join (select x.tenant_id,
                      (count(*) filter (where x.status = 'active'))::int as active,
                      (count(*) filter (where x.payment_id is not null and x.purchased_at >= p_since))::int as sold
                 from public.vouchers x group by 1) v on v.tenant_id = t.id
    left join (select x.tenant_id, count(*)::int as sent from public.messages x
                where x.direction = 'out' and x.sent_at >= p_since group by 1) m on m.tenant_id = t.id
    left join (select x.tenant_id, sum(coalesce(x.paid_amount_cents, x.amount_cents))::bigint as cents, count(*)::int as n
                 from public.payments x where x.status = 'paid' and x.paid_at >= p_since group by 1) p on p.tenant_id = t.id
    left join lateral (select max(e.occurred_at) as at from audit.events e
                        where e.tenant_id = t.id and e.actor_kind = 'user') a on true
    left join lateral (select max(us.last_seen_at) as at from public.user_sessions us where us.tenant_id = t.id) s on true
   where app_public.is_platform() and (p_tenant is null or t.id = p_tenant)
$$;
revoke all on function app_public.platform_tenant_usage(timestamptz, uuid) from public;
grant execute on function app_public.platform_tenant_usage(timestamptz, uuid) to mnetifi_app;

-- The console's support inbox: one line per ISP thread with its unread count (the ISP's messages
-- after the platform last read it) and a preview of the latest message. Platform context only;
-- reading a whole thread goes through enterTenant (one ISP at a time, audited).
create or replace function app_public.platform_support_inbox()
  returns table (tenant_id uuid, slug text, business_name text, last_message_at timestamptz,
                 unread integer, last_author text, last_preview text)
  language sql stable security definer set search_path = pg_catalog, public as $$
  select th.tenant_id, t.slug, t.business_name, th.last_message_at,
         (select count(*)::int from public.support_messages m
           where m.tenant_id = th.tenant_id and m.author = 'isp'
             and (th.platform_read_at is null or m.created_at > th.platform_read_at)),
         lm.author, left(lm.body, 140)
    from public.support_threads th
    join public.tenants t on t.id = th.tenant_id
    left join lateral (select m.author, m.body from public.support_messages m
                        where m.tenant_id = th.tenant_id order by m.created_at desc limit 1) lm on true
   where app_public.is_platform()
   order by th.last_message_at desc
$$;
revoke all on function app_public.platform_support_inbox() from public;
grant execute on function app_public.platform_support_inbox() to mnetifi_app;

-- Ends every impersonation whose time is up, in every ISP, with its audit event (the admin who
-- was acting is the impersonator). The ISP-side session already stops working at expires_at (it
-- is checked on every request); this closes the ones nobody touched again. Platform context only
-- (the impersonations_sweep job); returns how many it ended.
create or replace function app_public.end_expired_impersonations() returns integer
  language plpgsql volatile security definer set search_path = pg_catalog, public, audit as $$
declare
  n integer;
begin
  if not app_public.is_platform() then
    return 0;
  end if;
  with ended as (
    update public.impersonations i
       set ended_at = i.expires_at, end_reason = 'expired', session_hash = null
     where i.ended_at is null and i.expires_at <= now()
    returning i.tenant_id, i.id, i.admin_id, i.admin_name
  ), logged as (
    insert into audit.events (tenant_id, actor_kind, impersonator_id, action, details)
    select e.tenant_id, 'system', e.admin_id, 'impersonation.end',
           jsonb_build_object('impersonationId', e.id, 'reason', 'expired', 'admin', e.admin_name)
      from ended e
    returning 1
  )
  select count(*)::int into n from logged;
  return n;
end $$;
revoke all on function app_public.end_expired_impersonations() from public;
grant execute on function app_public.end_expired_impersonations() to mnetifi_app;

-- Ends open impersonations from the console side, in whichever ISPs they are: one visit (its End
-- button on the ISP's page) or every visit of one admin (signing out of the console ends them).
-- The audit event names the platform user doing it (app.user_id of this platform transaction).
-- Platform context only; returns how many it ended.
create or replace function app_public.end_impersonations_from_console(p_reason text, p_admin uuid default null, p_impersonation uuid default null)
  returns integer
  language plpgsql volatile security definer set search_path = pg_catalog, public, audit as $$
declare
  n integer;
  actor uuid := nullif(current_setting('app.user_id', true), '')::uuid;
begin
  if not app_public.is_platform() or actor is null or (p_admin is null and p_impersonation is null)
     or p_reason not in ('console', 'console_signed_out') then
    return 0;
  end if;
  with ended as (
    update public.impersonations i
       set ended_at = least(now(), i.expires_at), end_reason = p_reason, session_hash = null
     where i.ended_at is null
       and (p_admin is null or i.admin_id = p_admin)
       and (p_impersonation is null or i.id = p_impersonation)
    returning i.tenant_id, i.id, i.admin_id, i.admin_name
  ), logged as (
    insert into audit.events (tenant_id, actor_kind, actor_id, impersonator_id, action, details)
    select e.tenant_id, 'platform_user', actor, e.admin_id, 'impersonation.end',
           jsonb_build_object('impersonationId', e.id, 'reason', p_reason, 'admin', e.admin_name)
      from ended e
    returning 1
  )
  select count(*)::int into n from logged;
  return n;
end $$;
revoke all on function app_public.end_impersonations_from_console(text, uuid, uuid) from public;
grant execute on function app_public.end_impersonations_from_console(text, uuid, uuid) to mnetifi_app;
