-- Network structure: zones (routers and technicians attach to them in later migrations).
select app_private.secure_tenant_table('public.zones');
drop trigger if exists _100_touch on zones;
create trigger _100_touch before update on zones for each row execute function app_private.touch_updated_at();

select app_private.secure_tenant_table('public.routers');
drop trigger if exists _100_touch on routers;
create trigger _100_touch before update on routers for each row execute function app_private.touch_updated_at();
