import crypto from "node:crypto";

/**
 * Secrets at rest (design §6): AES-256-GCM with a random 12-byte IV per value. Stored as
 * "v1.<iv>.<tag>.<ciphertext>" (base64url), so the format can change without guessing.
 */
export type SecretBox = { encrypt(plain: string): string; decrypt(sealed: string): string };

export function createSecretBox(key: Buffer): SecretBox {
  if (key.length !== 32) throw new Error("encryption key must be 32 bytes");
  return {
    encrypt(plain) {
      const iv = crypto.randomBytes(12);
      const cipher = crypto.createCipheriv("aes-256-gcm", key, iv);
      const data = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()]);
      return ["v1", iv, cipher.getAuthTag(), data].map((p) => (typeof p === "string" ? p : p.toString("base64url"))).join(".");
    },
    decrypt(sealed) {
      const [version, iv, tag, data] = sealed.split(".");
      if (version !== "v1" || !iv || !tag || data === undefined) throw new Error("not a sealed secret");
      const decipher = crypto.createDecipheriv("aes-256-gcm", key, Buffer.from(iv, "base64url"));
      decipher.setAuthTag(Buffer.from(tag, "base64url"));
      return Buffer.concat([decipher.update(Buffer.from(data, "base64url")), decipher.final()]).toString("utf8");
    },
  };
}

/** The key from ENCRYPTION_KEY, or (outside production) one derived from a local secret. */
export function encryptionKeyFrom(envKey: string | undefined, localSecret: string): Buffer {
  if (envKey) return Buffer.from(envKey, "base64");
  return crypto.createHash("sha256").update(`mnetifi-dev-encryption:${localSecret}`).digest();
}
