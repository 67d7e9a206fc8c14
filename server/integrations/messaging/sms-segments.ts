// How many SMS segments a text costs. The single implementation used by the providers, the
// dashboard's counters and the SMS simulators (sim/sms).
//
// GSM 03.38: a text made only of the GSM-7 default alphabet goes as 7-bit septets, 160 alone or 153
// per segment of a concatenated message (the UDH takes the rest); characters of the extension table
// (^ { } \ [ ~ ] | € and form feed) are an escape plus a septet, so two. A single character outside
// both sends the whole text as UCS-2: 70 UTF-16 code units alone, 67 per segment, an emoji (a
// surrogate pair) counting two. Segment boundaries never split an escape pair or a surrogate pair,
// as real encoders do, so a long text can need one segment more than a plain division says.

export type SmsEncoding = "GSM-7" | "UCS-2";

export type SmsSegmentCount = {
  encoding: SmsEncoding;
  /** Segments the text is sent as; 0 for an empty text. */
  segments: number;
  /** Characters as a person counts them (Unicode code points). */
  characters: number;
  /** Capacity of each segment in `units`: 160/153 (GSM-7) or 70/67 (UCS-2). */
  perSegment: number;
  /** Septets (GSM-7) or UTF-16 code units (UCS-2) the text takes. */
  units: number;
};

// GSM 03.38 basic set (one septet each) and extension set (escape + char = two septets).
const GSM_BASIC = new Set(
  Array.from("@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"),
);
const GSM_EXTENDED = new Set(Array.from("^{}\\[~]|€\f"));

const GSM_SINGLE = 160;
const GSM_MULTI = 153;
const UCS2_SINGLE = 70;
const UCS2_MULTI = 67;

export function countSmsSegments(text: string): SmsSegmentCount {
  const chars = Array.from(text);
  let weights: number[] = [];
  let encoding: SmsEncoding = "GSM-7";
  for (const ch of chars) {
    if (GSM_BASIC.has(ch)) weights.push(1);
    else if (GSM_EXTENDED.has(ch)) weights.push(2);
    else {
      encoding = "UCS-2";
      break;
    }
  }
  if (encoding === "UCS-2") weights = chars.map((ch) => ch.length);

  const units = weights.reduce((sum, w) => sum + w, 0);
  const single = encoding === "GSM-7" ? GSM_SINGLE : UCS2_SINGLE;
  const multi = encoding === "GSM-7" ? GSM_MULTI : UCS2_MULTI;
  if (units <= single) return { encoding, segments: units === 0 ? 0 : 1, characters: chars.length, perSegment: single, units };

  let segments = 1;
  let used = 0;
  for (const w of weights) {
    if (used + w > multi) {
      segments += 1;
      used = 0;
    }
    used += w;
  }
  return { encoding, segments, characters: chars.length, perSegment: multi, units };
}
