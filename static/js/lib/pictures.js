// Picture files chosen on /draw, /model and /conv (shrunk or converted by the browser when the API would refuse
// them). On /draw and /model a picture goes to the API as a data URL whose media type the browser takes from the
// file's name (README.md is text/markdown, a name without an extension application/octet-stream): the API
// then refuses the data URL itself, in words about data URLs the student never typed. So the file's own first
// bytes decide here, before anything is sent, and the data URL is labelled with the format they show.

// the signatures of the formats the API decodes (app/imaging/decode.py: PNG, JPEG, WebP)
const SIGNATURES = [
  { type: "image/png", at: 0, bytes: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a] },
  { type: "image/jpeg", at: 0, bytes: [0xff, 0xd8, 0xff] },
  { type: "image/webp", at: 8, bytes: [0x57, 0x45, 0x42, 0x50], riff: true }, // "RIFF" size "WEBP"
];
const RIFF = [0x52, 0x49, 0x46, 0x46];

const starts = (head, at, bytes) => bytes.every((b, k) => head[at + k] === b);

export const MAX_DECODE = 64 * 1024 * 1024;   // larger files are not even opened (the browser would decode them to shrink)
export const MB = (bytes) => (bytes / (1 << 20)).toFixed(1);

/** The picture format of a file ("image/png", "image/jpeg" or "image/webp") read from its first bytes, or null
 * when it is none of them (a text file, a GIF, a HEIC photo, an empty file). */
export async function pictureType(file) {
  const head = new Uint8Array(await file.slice(0, 12).arrayBuffer());
  const sig = SIGNATURES.find((s) => starts(head, s.at, s.bytes) && (!s.riff || starts(head, 0, RIFF)));
  return sig ? sig.type : null;
}

/** The data URL of a file, labelled as `type` whatever the browser guessed from the name. */
export function readDataUrl(file, type) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(`data:${type};base64,${String(reader.result).split(",", 2)[1] ?? ""}`);
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(file);
  });
}

/** A picture file as the browser decodes it (an ImageBitmap, upright by its EXIF orientation), or null. */
async function decoded(file) {
  try {
    return await createImageBitmap(file);
  } catch {
    return null;
  }
}

/** A picture the API would refuse for its size (larger than `maxSide` px a side, `maxPixels` in all, or `maxBytes` as
 * a file; a
 * phone's 4000×3000 photo of several MB is one), shrunk here by the browser, keeping its aspect, to at most `side` px
 * a side (the server works on 560 px), or to 560 px when that is still over `maxBytes` (a grainy PNG):
 * -> { dataUrl, width, height, sentWidth, sentHeight }, or null when the file can be sent as it is or the browser
 * cannot decode it (the caller then checks the file's own size). always: re-encode it whatever its size (a format
 * the API does not read; `type` is then "image/png"). JPEG stays JPEG; PNG and WebP go as PNG, which keeps
 * transparency, and as JPEG on white only when even 560 px of PNG is too big. */
export async function shrunk(file, type, { maxSide, maxBytes, maxPixels = Infinity, side = 1024, always = false }) {
  const bitmap = await decoded(file);
  if (!bitmap) return null;
  const { width, height } = bitmap;
  try {
    if (!always && width <= maxSide && height <= maxSide && width * height <= maxPixels && file.size <= maxBytes) {
      return null;
    }
    const fits = (url) => (url.length - url.indexOf(",") - 1) * 3 / 4 <= maxBytes;
    let sent = null;
    for (const [s, as] of [[side, type], [560, type], [560, "image/jpeg"]]) {
      const k = Math.min(1, s / Math.max(width, height));
      const canvas = document.createElement("canvas");
      canvas.width = Math.max(1, Math.round(width * k));
      canvas.height = Math.max(1, Math.round(height * k));
      const ctx = canvas.getContext("2d");
      ctx.imageSmoothingQuality = "high";
      if (as === "image/jpeg" && type !== "image/jpeg") {   // no transparency in a JPEG: on white, as the API reads it
        ctx.fillStyle = "#fff";
        ctx.fillRect(0, 0, canvas.width, canvas.height);
      }
      ctx.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
      const dataUrl = as === "image/jpeg" ? canvas.toDataURL("image/jpeg", 0.92) : canvas.toDataURL("image/png");
      sent = { dataUrl, width, height, sentWidth: canvas.width, sentHeight: canvas.height };
      if (fits(dataUrl)) break;
    }
    return sent;
  } finally {
    bitmap.close();
  }
}

// IHDR colour type -> samples a pixel (3: palette indices), as app/imaging/decode.py's PNG_CHANNELS
const PNG_CHANNELS = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

/** A PNG file's IHDR: { depth, inflated } (its bit depth, and the bytes it inflates to as the API counts them:
 * samples of less than 8 bits count as 8), or null when the header is not there. */
async function pngHeader(file) {
  const head = new DataView(await file.slice(0, 26).arrayBuffer());
  if (head.byteLength < 26) return null;
  const [w, h, depth, colour] = [head.getUint32(16), head.getUint32(20), head.getUint8(24), head.getUint8(25)];
  return { depth, inflated: w * h * (PNG_CHANNELS[colour] ?? 4) * Math.max(depth, 8) / 8 };
}

/** A chosen file made ready for an API that takes pictures of at most `maxSide` px a side and `maxBytes` (a WebP
 * at most `webpPixels`), the one flow of /draw, /model and /conv: -> { unopened: true } for a file over MAX_DECODE
 * (never opened), else { type, small, sizes, tooBig }: type its format (null: none the API reads), small shrunk()'s
 * answer (null: it goes as it is; a format the API does not read is converted to PNG), sizes the notes' values
 * ({ name, w, h, sw, sh }) when small, tooBig when it cannot be sent as it is and was not made smaller, deep when
 * it is a PNG of 16-bit samples that would inflate to more than the API decodes (4 bytes for each pixel of a
 * maxSide × maxSide picture), redrawn with 8-bit samples. */
export async function prepared(file, { maxSide, maxBytes, webpPixels = Infinity }) {
  if (file.size > MAX_DECODE) return { unopened: true };
  const type = await pictureType(file);
  const maxPixels = type === "image/webp" ? webpPixels : Infinity;   // (the API decodes WebP only so far)
  const png = type === "image/png" ? await pngHeader(file) : null;
  const deep = png !== null && png.depth === 16 && png.inflated > maxSide * maxSide * 4;   // (8-bit ones over it are over maxSide too)
  const small = await shrunk(file, type ?? "image/png", { maxSide, maxBytes, maxPixels, always: !type || deep });
  const sizes = small && { name: file.name, w: small.width, h: small.height, sw: small.sentWidth, sh: small.sentHeight };
  return { type, small, sizes, deep: deep && !!small, tooBig: !small && file.size > maxBytes };
}
