import { describe, it, expect, beforeAll } from "vitest";
import { subdomainOf, slugProblem, resolveSite } from "../server/services/hosts";
import { createTestDatabase, type TestDatabase } from "./helpers/db";
import { createTenantFixture } from "./helpers/fixtures";

describe("subdomainOf", () => {
  it("tells the apex, an ISP subdomain and foreign hosts apart", () => {
    expect(subdomainOf("localhost:3000", "localhost:3000")).toBe("");
    expect(subdomainOf("www.mnetifi.co.ke", "mnetifi.co.ke")).toBe("");
    expect(subdomainOf("Demo.Localhost:3000", "localhost:3000")).toBe("demo");
    expect(subdomainOf("admin.mnetifi.co.ke", "mnetifi.co.ke")).toBe("admin");
    expect(subdomainOf("a.b.mnetifi.co.ke", "mnetifi.co.ke")).toBeNull();
    expect(subdomainOf("evil.com", "mnetifi.co.ke")).toBeNull();
    expect(subdomainOf("demo.localhost:4000", "localhost:3000")).toBeNull();
  });
});

describe("slugProblem", () => {
  it("accepts good slugs", () => {
    for (const s of ["demo", "kasarani-net", "isp254", "a1b"]) expect(slugProblem(s), s).toBeNull();
  });
  it("rejects bad forms and reserved names with a reason", () => {
    expect(slugProblem("ab")).toMatch(/3–30/);
    expect(slugProblem("-abc")).toMatch(/starting and ending/);
    expect(slugProblem("Upper")).toMatch(/lowercase/);
    expect(slugProblem("a".repeat(31))).toMatch(/3–30/);
    expect(slugProblem("my--isp")).toMatch(/doubled/);
    for (const r of ["www", "admin", "api", "app", "mail"]) expect(slugProblem(r), r).toBe("That name is reserved.");
  });
});

describe("resolveSite", () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
    await createTenantFixture(t.db, "kasarani-net");
  });
  it("maps hosts to the public site, console, an ISP, or unknown", async () => {
    const d = "localhost:3000";
    expect(await resolveSite(t.db, "localhost:3000", d)).toEqual({ kind: "public" });
    expect(await resolveSite(t.db, "admin.localhost:3000", d)).toEqual({ kind: "admin" });
    expect(await resolveSite(t.db, "kasarani-net.localhost:3000", d)).toMatchObject({ kind: "tenant", tenant: { slug: "kasarani-net" } });
    expect(await resolveSite(t.db, "nobody.localhost:3000", d)).toEqual({ kind: "unknown", slug: "nobody" });
    expect(await resolveSite(t.db, "api.localhost:3000", d)).toEqual({ kind: "unknown", slug: "api" });
    expect(await resolveSite(t.db, undefined, d)).toEqual({ kind: "unknown", slug: "" });
  });
  it("the database refuses a reserved-form slug even if code forgot to check", async () => {
    const owner = await t.ownerClient();
    await expect(owner.query("insert into tenants (slug, business_name) values ('-bad-', 'x')")).rejects.toMatchObject({ code: "23514" });
  });
});
