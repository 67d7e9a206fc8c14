-- Console users' single-use tokens (invitations, password resets, the second step of a sign-in,
-- 2FA setup) and 2FA recovery codes: platform context only. They carry secrets (hashes) and
-- churn; what happens to them is audited as app events (platform_admin.invited,
-- platform_admin.invite_accepted, auth.password_reset, auth.2fa_enabled, ...).
select app_private.secure_platform_table('public.platform_user_tokens', with_audit => false);
select app_private.secure_platform_table('public.platform_recovery_codes', with_audit => false);
