-- Console users' single-use links (invitations to choose a password): platform context only.
-- They carry secrets (hashes) and churn; what happens to them is audited as app events
-- (platform_admin.invited, platform_admin.invite_resent, platform_admin.invite_accepted).
select app_private.secure_platform_table('public.platform_user_tokens', with_audit => false);
