import { isRouteErrorResponse, Links, Meta, Outlet, Scripts, ScrollRestoration, useMatches, data } from "react-router";
import type { Route } from "./+types/root";
import "./app.css";
import { useNonce } from "./lib/nonce";
import { NotFoundPage, ErrorPage, ForbiddenPage } from "./components/error-pages";

export const links: Route.LinksFunction = () => [{ rel: "icon", href: "/favicon.svg", type: "image/svg+xml" }];

export async function loader({ context }: Route.LoaderArgs) {
  const { site } = context.app;
  // An unknown subdomain is a friendly 404, whatever path was asked for.
  if (site.kind === "unknown") throw data({ reason: "unknown-isp", slug: site.slug }, { status: 404 });
  return { site: site.kind === "tenant" ? { kind: site.kind, name: site.tenant.businessName, slug: site.tenant.slug } : { kind: site.kind } };
}

/**
 * What a route's `handle` may ask of the document:
 * - `{ scripts: false }`: served without client JavaScript;
 * - `{ bare: true }`: no JavaScript, no global stylesheet, no favicon request — the route brings its
 *   own small inline <style nonce> (the captive portal: a first load of a few KB on a cheap phone).
 */
export type DocumentHandle = { scripts?: boolean; bare?: boolean };

function useDocumentKind() {
  const handles = useMatches().map((m) => (m.handle ?? undefined) as DocumentHandle | undefined);
  const bare = handles.some((h) => h?.bare === true);
  return { bare, scripts: !bare && !handles.some((h) => h?.scripts === false) };
}

export function Layout({ children }: { children: React.ReactNode }) {
  const { bare, scripts } = useDocumentKind();
  const nonce = useNonce();
  if (bare) {
    return (
      <html lang="en">
        <head>
          <meta charSet="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <Meta />
          {/* An empty icon: the browser asks for no /favicon.ico. */}
          <link rel="icon" href="data:," />
        </head>
        <body>{children}</body>
      </html>
    );
  }
  return (
    <html lang="en">
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <Meta />
        <Links />
      </head>
      <body className="min-h-dvh">
        {children}
        {scripts ? <ScrollRestoration nonce={nonce} /> : null}
        {scripts ? <Scripts nonce={nonce} /> : null}
      </body>
    </html>
  );
}

export default function App() {
  return <Outlet />;
}

export function ErrorBoundary({ error }: Route.ErrorBoundaryProps) {
  if (isRouteErrorResponse(error) && error.status === 404) {
    const d = error.data as { reason?: string; slug?: string } | undefined;
    return <NotFoundPage unknownIsp={d?.reason === "unknown-isp" ? d.slug : undefined} />;
  }
  const status = isRouteErrorResponse(error) ? error.status : 500;
  if (status === 403) return <ForbiddenPage />;
  const detail = import.meta.env.DEV && error instanceof Error ? error.stack : undefined;
  return <ErrorPage status={status} detail={detail} />;
}
