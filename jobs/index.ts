import type { TaskList } from "graphile-worker";
import type { Db } from "../db/client";
import { sessionsSweep } from "./tasks/sessions-sweep";

/** Every task the worker runs. Tenant tasks are wrapped in tenantTask(), platform ones in platformTask(). */
export function buildTaskList(db: Db): TaskList {
  return {
    sessions_sweep: sessionsSweep(db),
  };
}

/** Recurring sweepers (graphile-worker crontab syntax). */
export const CRONTAB = [
  "*/15 * * * * sessions_sweep ?max=1",
].join("\n");
