import { useEffect } from "react";
import { useRevalidator } from "react-router";

/**
 * Reloads the page's data every `seconds` while the tab is visible, so live status (routers,
 * payments) stays current without a manual refresh, and costs nothing in a background tab.
 */
export function useAutoRefresh(seconds: number) {
  const { revalidate, state } = useRevalidator();
  useEffect(() => {
    const timer = setInterval(() => {
      if (document.visibilityState === "visible" && state === "idle") void revalidate();
    }, seconds * 1000);
    return () => clearInterval(timer);
  }, [seconds, revalidate, state]);
}
