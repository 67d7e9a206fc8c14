// Standalone RouterOS API simulators: `npx tsx sim/routeros/cli.ts`. One router per port in
// ROUTEROS_SIM_PORTS (plain TCP on every port, TLS is out of scope), each with an HTTP control API on
// port + 1000. Point a router's API host/port in the app at 127.0.0.1 and a printed port.
import { startRouterSim, type RouterSim } from "./index";
import { stopOnSignal } from "../stop-on-signal";

const ports = (process.env.ROUTEROS_SIM_PORTS ?? "8728,8729")
  .split(",")
  .map((p) => Number(p.trim()))
  .filter((p) => Number.isInteger(p) && p > 0 && p < 65536);
const version = process.env.ROUTEROS_SIM_VERSION ?? "7.16.2";

const sims: RouterSim[] = [];
for (const [i, port] of ports.entries()) {
  const sim = await startRouterSim({ port, version, identity: `sim-router-${i + 1}`, controlPort: port + 1000 <= 65535 ? port + 1000 : 0 });
  sims.push(sim);
  console.log(`RouterOS ${version} API simulator "sim-router-${i + 1}" on 127.0.0.1:${sim.port} (plain TCP)`);
  console.log(`  control: http://127.0.0.1:${sim.controlPort}/_sim/state · POST /_sim/device/appear, /_sim/device/login, /_sim/traffic, /_sim/disconnect, /_sim/offline, /_sim/online, /_sim/reboot`);
}
const [first] = sims;
if (first) console.log(`  users: ${first.users.map((u) => `"${u.name}" / "${u.password}" (${u.group ?? "full"})`).join(", ")}`);

stopOnSignal(async () => {
  await Promise.all(sims.map((s) => s.stop()));
});
