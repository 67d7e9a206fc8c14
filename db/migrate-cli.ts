// `npm run db:migrate`: migrate the database named by DATABASE_OWNER_URL (production).
import { migrateDatabase } from "./migrate";

const url = process.env.DATABASE_OWNER_URL;
if (!url) {
  console.error("DATABASE_OWNER_URL is not set: it must connect as the mnetifi_owner role (see docs/operations.md).");
  process.exit(1);
}
await migrateDatabase(url, (m) => console.log(m));
console.log("database is up to date");
