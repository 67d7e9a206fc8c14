// The one email template: table layout and inline styles because email clients
// (Outlook, Gmail) ignore most <style> blocks and modern CSS layout.

const BRAND_COLOUR = "#059669";
const TEXT_COLOUR = "#111827";
const MUTED_COLOUR = "#6b7280";
const FONT_STACK = "-apple-system, BlinkMacSystemFont, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif";

export type BrandedEmailOptions = {
  title: string;
  preheader?: string;
  paragraphs: string[];
  action?: { label: string; url: string };
  footer?: string;
};

export function brandedEmail(opts: BrandedEmailOptions): { html: string; text: string } {
  if (opts.action) assertSafeLinkUrl(opts.action.url);
  return { html: renderHtml(opts), text: renderText(opts) };
}

export function escapeHtml(value: string): string {
  return value
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}

// A javascript: or data: link in an email is an attack, never a feature.
function assertSafeLinkUrl(url: string) {
  let protocol: string;
  try {
    protocol = new URL(url).protocol;
  } catch {
    throw new Error(`Email action URL is not an absolute URL: ${url}`);
  }
  if (protocol !== "https:" && protocol !== "http:") throw new Error(`Email action URL must be http(s), got ${protocol}`);
}

function renderHtml(opts: BrandedEmailOptions): string {
  const title = escapeHtml(opts.title);
  const paragraphs = opts.paragraphs
    .map((p) => `<p style="margin:0 0 16px;font-size:16px;line-height:24px;color:${TEXT_COLOUR};">${escapeHtml(p)}</p>`)
    .join("\n");

  const action = opts.action
    ? `<table role="presentation" cellpadding="0" cellspacing="0" border="0" style="margin:8px 0 24px;">
  <tr><td align="center" bgcolor="${BRAND_COLOUR}" style="border-radius:6px;">
    <a href="${escapeHtml(opts.action.url)}" target="_blank" style="display:inline-block;padding:14px 28px;font-family:${FONT_STACK};font-size:16px;font-weight:600;line-height:20px;color:#ffffff;text-decoration:none;border-radius:6px;">${escapeHtml(opts.action.label)}</a>
  </td></tr>
</table>
<p style="margin:0 0 8px;font-size:13px;line-height:20px;color:${MUTED_COLOUR};">If the button does not work, copy this link into your browser:</p>
<p style="margin:0 0 16px;font-size:13px;line-height:20px;word-break:break-all;"><a href="${escapeHtml(opts.action.url)}" style="color:${BRAND_COLOUR};">${escapeHtml(opts.action.url)}</a></p>`
    : "";

  // Hidden text shown by inbox list views next to the subject.
  const preheader = opts.preheader
    ? `<div style="display:none;max-height:0;overflow:hidden;mso-hide:all;font-size:1px;line-height:1px;color:#ffffff;opacity:0;">${escapeHtml(opts.preheader)}</div>`
    : "";

  const footer = opts.footer
    ? `<tr><td style="padding:16px 24px 0;font-family:${FONT_STACK};font-size:12px;line-height:18px;color:${MUTED_COLOUR};text-align:center;">${escapeHtml(opts.footer)}</td></tr>`
    : "";

  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="x-apple-disable-message-reformatting">
<title>${title}</title>
</head>
<body style="margin:0;padding:0;background-color:#f3f4f6;">
${preheader}
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="background-color:#f3f4f6;">
<tr><td align="center" style="padding:24px 12px;">
  <table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="max-width:560px;width:100%;">
    <tr><td style="padding:0 24px 16px;font-family:${FONT_STACK};font-size:24px;font-weight:700;letter-spacing:-0.5px;color:${BRAND_COLOUR};">mnetifi</td></tr>
    <tr><td style="background-color:#ffffff;border-radius:8px;border-top:4px solid ${BRAND_COLOUR};padding:32px 24px;font-family:${FONT_STACK};">
      <h1 style="margin:0 0 16px;font-size:22px;line-height:28px;font-weight:700;color:${TEXT_COLOUR};">${title}</h1>
${paragraphs}
${action}
    </td></tr>
    ${footer}
  </table>
</td></tr>
</table>
</body>
</html>`;
}

function renderText(opts: BrandedEmailOptions): string {
  const blocks = [opts.title, ...opts.paragraphs];
  // The link sits alone on its line so mail clients make it clickable and it copies cleanly.
  if (opts.action) blocks.push(`${opts.action.label}:\n${opts.action.url}`);
  if (opts.footer) blocks.push(`--\n${opts.footer}`);
  return `${blocks.join("\n\n")}\n`;
}
