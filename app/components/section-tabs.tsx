import { NavLink, Outlet } from "react-router";
import { cx } from "./ui";

/** A dashboard area with its own tabs above the page (Messaging, Hotspot). */
export function SectionTabs({ label, tabs }: { label: string; tabs: Array<{ to: string; label: string }> }) {
  return (
    <div className="grid gap-6">
      <nav className="flex gap-1 overflow-x-auto rounded-xl bg-slate-100 p-1 text-sm" aria-label={label}>
        {tabs.map((t) => (
          <NavLink
            key={t.to}
            to={t.to}
            className={({ isActive }) => cx("whitespace-nowrap rounded-lg px-4 py-2 font-medium", isActive ? "bg-white text-slate-900 shadow-sm" : "text-slate-600 hover:text-slate-900")}
          >
            {t.label}
          </NavLink>
        ))}
      </nav>
      <Outlet />
    </div>
  );
}
