import { data } from "react-router";
import type { Route } from "./+types/register.check";
import { readForm } from "../lib/forms.server";
import { slugAvailability } from "../../server/services/registration";
import { checkPassword } from "../../server/services/password-policy";

/** Live feedback for the registration form: is the subdomain free, how good is the password. POST keeps passwords out of URLs and logs. */
export async function action({ request, context }: Route.ActionArgs) {
  if (context.app.site.kind !== "public") throw data(null, { status: 404 });
  const f = await readForm(request);
  const get = (k: string) => String(f.get(k) ?? "").slice(0, 256);
  const slug = get("slug");
  const password = get("password");
  return {
    slug: slug ? await slugAvailability(context.app.db, slug) : null,
    password: password ? checkPassword(password, { username: get("username"), email: get("email"), businessName: get("businessName") }) : null,
  };
}
