// Placeholder: the onboarding page (setup script and login.html) is being built.
export default function RouterSetup() {
  return null;
}
