export * from "./tenancy";
export * from "./platform";
export * from "./audit";
export * from "./payments";
export * from "./network";
export * from "./messaging";
export * from "./hotspot";
export * from "./console";
