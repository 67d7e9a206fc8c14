// Placeholder: serves the router's login.html (onboarding).
export function loader() {
  return new Response("Not yet", { status: 404 });
}
