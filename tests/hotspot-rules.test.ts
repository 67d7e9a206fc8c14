// The voucher time rules of design §7 with the issue's own example, and the code generator.
import { describe, it, expect } from "vitest";
import { generateCode, CODE_ALPHABET, durationSeconds, timesAtPurchase, expiryAtFirstUse, voucherState, secondsLeft, warningAt, planRateLimit } from "../server/services/hotspot/rules";

// Nairobi is UTC+3 all year: 06:00 EAT is 03:00Z.
const at = (iso: string) => new Date(`${iso}+03:00`);
const DAY = durationSeconds(24, "hours");

describe("a 24-hour voucher bought at 06:00 and first used at 16:00", () => {
  const purchasedAt = at("2026-12-01T06:00:00");
  const firstUsedAt = at("2026-12-01T16:00:00");

  it("expires at 16:00 the next day when time counts from first use", () => {
    const t = timesAtPurchase({ mode: "first_use", purchasedAt, durationSeconds: DAY, lapseDays: 3 });
    expect(t.expiresAt).toBeNull();
    const expiresAt = expiryAtFirstUse({ expiresAt: t.expiresAt, firstUsedAt, durationSeconds: DAY });
    expect(expiresAt).toEqual(at("2026-12-02T16:00:00"));
    const v = { disabledAt: null, firstUsedAt, expiresAt, lapsesAt: t.lapsesAt };
    expect(voucherState(v, at("2026-12-02T15:59:59"))).toBe("active");
    expect(voucherState(v, at("2026-12-02T16:00:00"))).toBe("expired");
    expect(secondsLeft({ expiresAt, durationSeconds: DAY }, at("2026-12-02T15:00:00"))).toBe(3600);
  });

  it("expires at 06:00 the next day when time counts from purchase", () => {
    const t = timesAtPurchase({ mode: "purchase", purchasedAt, durationSeconds: DAY, lapseDays: 3 });
    expect(t.expiresAt).toEqual(at("2026-12-02T06:00:00"));
    expect(expiryAtFirstUse({ expiresAt: t.expiresAt, firstUsedAt, durationSeconds: DAY })).toEqual(at("2026-12-02T06:00:00"));
    const v = { disabledAt: null, firstUsedAt, expiresAt: t.expiresAt, lapsesAt: t.lapsesAt };
    expect(voucherState(v, at("2026-12-02T05:59:59"))).toBe("active");
    expect(voucherState(v, at("2026-12-02T06:00:00"))).toBe("expired");
    // Never used in purchase mode: its time still ran out.
    expect(voucherState({ ...v, firstUsedAt: null }, at("2026-12-02T07:00:00"))).toBe("expired");
  });

  it("left unused for longer than the lapse setting, it is no longer valid", () => {
    const t = timesAtPurchase({ mode: "first_use", purchasedAt, durationSeconds: DAY, lapseDays: 1 });
    expect(t.lapsesAt).toEqual(at("2026-12-02T06:00:00"));
    const v = { disabledAt: null, firstUsedAt: null, expiresAt: null, lapsesAt: t.lapsesAt };
    expect(voucherState(v, at("2026-12-02T05:59:00"))).toBe("unused");
    expect(voucherState(v, at("2026-12-02T06:00:00"))).toBe("lapsed");
    // Used before lapsing: the lapse no longer matters.
    expect(voucherState({ ...v, firstUsedAt, expiresAt: at("2026-12-02T16:00:00") }, at("2026-12-02T10:00:00"))).toBe("active");
  });

  it("the 90% warning falls 2 h 24 min before the end; a disabled voucher is disabled whatever its time", () => {
    expect(warningAt({ expiresAt: at("2026-12-02T16:00:00"), durationSeconds: DAY })).toEqual(at("2026-12-02T13:36:00"));
    expect(voucherState({ disabledAt: purchasedAt, firstUsedAt, expiresAt: at("2026-12-02T16:00:00"), lapsesAt: at("2026-12-04T06:00:00") }, firstUsedAt)).toBe("disabled");
  });
});

describe("durations", () => {
  it("any number of minutes, hours, days, weeks or months (30 days)", () => {
    expect(durationSeconds(45, "minutes")).toBe(2700);
    expect(durationSeconds(3, "hours")).toBe(10_800);
    expect(durationSeconds(2, "weeks")).toBe(1_209_600);
    expect(durationSeconds(1, "months")).toBe(2_592_000);
  });
});

describe("voucher codes", () => {
  it("are 6–8 characters from an unambiguous, case-sensitive alphabet", () => {
    for (const n of [6, 7, 8]) {
      const code = generateCode(n);
      expect(code).toHaveLength(n);
      expect([...code].every((c) => CODE_ALPHABET.includes(c))).toBe(true);
    }
    expect(CODE_ALPHABET).not.toMatch(/[0O1lI]/);
    expect(() => generateCode(5)).toThrow();
    expect(() => generateCode(9)).toThrow();
  });

  it("are spread over the whole alphabet (no modulo bias worth seeing) and do not repeat", () => {
    const codes = Array.from({ length: 20_000 }, () => generateCode(6));
    // Distinct: on 8 characters (6-character codes meet by chance about once in 170 runs of 20,000,
    // the birthday bound; the database's unique key and the retry in vouchers.ts handle that).
    const long = Array.from({ length: 20_000 }, () => generateCode(8));
    expect(new Set(long).size).toBe(long.length);
    const counts = new Map<string, number>();
    for (const c of codes.join("")) counts.set(c, (counts.get(c) ?? 0) + 1);
    expect(counts.size).toBe(CODE_ALPHABET.length);
    const expected = (20_000 * 6) / CODE_ALPHABET.length;
    for (const n of counts.values()) expect(Math.abs(n - expected) / expected).toBeLessThan(0.15);
  });
});

describe("rate limits", () => {
  it("as RouterOS writes them, upload first, with optional burst", () => {
    expect(planRateLimit({ downloadKbps: 5120, uploadKbps: 2048 })).toBe("2M/5M");
    expect(planRateLimit({ downloadKbps: null, uploadKbps: null })).toBe("");
    expect(planRateLimit({ downloadKbps: 5120, uploadKbps: 1024, burstDownloadKbps: 10240, burstUploadKbps: 2048, burstThresholdDownloadKbps: 4096, burstThresholdUploadKbps: 768, burstTimeSeconds: 10 })).toBe("1M/5M 2M/10M 768k/4M 10/10");
  });
});
