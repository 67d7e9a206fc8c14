-- The console's Analytics page (issue 8): the platform's subscription revenue and paying ISPs over
-- time. billing_invoices and billing_payments are tenant tables (each ISP reads its own), so the
-- platform context cannot read them across ISPs; design §4 says platform statistics come from
-- aggregate functions instead. Both functions below return counts and sums per month (never an
-- ISP's id, name or a single row), and nothing at all outside the platform context. Each is listed
-- in db/catalog.ts REVIEWED_DEFINERS. Definitions: docs/decisions/0018-platform-analytics.md.
--
-- Months are calendar months on p_tz's clock (the platform runs on Africa/Nairobi); p_to is the
-- caller's "now": the month it falls in ends there.

-- Money the platform received per month and tier: paid billing payments, by the tier of the
-- invoice each was paid against (registration fees included: this is cash, not MRR).
create or replace function app_public.platform_billing_monthly(p_from timestamptz, p_to timestamptz, p_tz text default 'Africa/Nairobi')
  returns table (month date, tier_id text, tier_name text, revenue_cents bigint, payments integer, isps integer)
  language sql stable security definer set search_path = pg_catalog, public as $$
  select date_trunc('month', p.paid_at at time zone p_tz)::date,
         i.tier_id,
         max(i.tier_name),
         sum(coalesce(p.paid_cents, p.amount_cents))::bigint,
         count(*)::int,
         count(distinct p.tenant_id)::int
    from public.billing_payments p
    join public.billing_invoices i on i.tenant_id = p.tenant_id and i.id = p.invoice_id
   where app_public.is_platform()
     and p.status = 'paid' and p.paid_at >= p_from and p.paid_at < p_to
   group by 1, 2
   order by 1, 2
$$;
revoke all on function app_public.platform_billing_monthly(timestamptz, timestamptz, text) from public;
grant execute on function app_public.platform_billing_monthly(timestamptz, timestamptz, text) to mnetifi_app;

-- Paying ISPs per month, from the coverage of paid invoices (period_start .. period_end, the paid
-- month each bought; a tier change overlaps the old period, so an ISP counts once and at the
-- price of its latest period):
--   paying_start / paying_end  ISPs covered at the month's first instant / at its end (or p_to);
--   new_paying                 ISPs whose first paid period ever starts in the month;
--   returning_paying           covered at the end, not at the start, having paid before;
--   churned                    covered at some time in the month but not at its end (lapsed and
--                              not renewed by then; a renewal later counts as returning then);
--   mrr_end_cents              sum of the covering invoice's monthly price at the month's end.
create or replace function app_public.platform_paying_monthly(p_from timestamptz, p_to timestamptz, p_tz text default 'Africa/Nairobi')
  returns table (month date, paying_start integer, paying_end integer, new_paying integer,
                 returning_paying integer, churned integer, mrr_end_cents bigint)
  language sql stable security definer set search_path = pg_catalog, public as $$
  with cov as (
    select i.tenant_id, i.period_start, i.period_end, i.monthly_cents
      from public.billing_invoices i
     where app_public.is_platform()
       and i.status = 'paid' and i.period_start is not null and i.period_end > i.period_start
  ), firsts as (
    select c.tenant_id, min(c.period_start) as first_start from cov c group by 1
  ), months as (
    select m::date as month,
           m at time zone p_tz as starts,
           least((m + interval '1 month') at time zone p_tz, p_to) as ends
      from generate_series(date_trunc('month', p_from at time zone p_tz), p_to at time zone p_tz, interval '1 month') m
     where app_public.is_platform()
  ), at_start as (
    select distinct mo.month, c.tenant_id from months mo join cov c on c.period_start <= mo.starts and c.period_end > mo.starts
  ), at_end as (
    select distinct on (mo.month, c.tenant_id) mo.month, c.tenant_id, c.monthly_cents
      from months mo join cov c on c.period_start <= mo.ends and c.period_end > mo.ends
     order by mo.month, c.tenant_id, c.period_start desc
  ), during as (
    select distinct mo.month, c.tenant_id from months mo join cov c on c.period_start < mo.ends and c.period_end > mo.starts
  )
  select mo.month,
         (select count(*)::int from at_start s where s.month = mo.month),
         (select count(*)::int from at_end e where e.month = mo.month),
         (select count(*)::int from firsts f where f.first_start >= mo.starts and f.first_start < mo.ends),
         (select count(*)::int from at_end e join firsts f on f.tenant_id = e.tenant_id
           where e.month = mo.month and f.first_start < mo.starts
             and not exists (select 1 from at_start s where s.month = mo.month and s.tenant_id = e.tenant_id)),
         (select count(*)::int from during d
           where d.month = mo.month and not exists (select 1 from at_end e where e.month = mo.month and e.tenant_id = d.tenant_id)),
         (select coalesce(sum(e.monthly_cents), 0)::bigint from at_end e where e.month = mo.month)
    from months mo
   where mo.starts < mo.ends
   order by mo.month
$$;
revoke all on function app_public.platform_paying_monthly(timestamptz, timestamptz, text) from public;
grant execute on function app_public.platform_paying_monthly(timestamptz, timestamptz, text) to mnetifi_app;
