import { randomBytes } from 'node:crypto';
import type SharpModule from 'sharp';
import type { AppContext } from '../../platform/context.ts';
import { AppError, validationFailed } from '../../platform/http/errors.ts';
import { storageFor } from '../../platform/storage/index.ts';
import { sniffImage, type ImageKind } from '../accounts/images.ts';
import * as engagementRepo from './engagement-repo.ts';
import { assertCanPost, type Viewer } from './service.ts';

/**
 * Images members put in their posts (stories above all). The bytes decide the type, never the name or
 * the declared type. Still images are decoded and written again: that drops EXIF data (a phone photo's
 * GPS position must not be published with a story) and anything smuggled after the image data. A
 * thumbnail (WebP, at most THUMBNAIL_SIZE on its longer side) is what the post shows, linked to the full image.
 */

export const IMAGE_MAX_BYTES = 8 * 1024 * 1024;
/** Decoding cost is bounded by pixels, not bytes: a tiny file can claim a gigapixel canvas. */
const MAX_PIXELS = 50_000_000;
const MAX_STORED_SIZE = 2560;
const THUMBNAIL_SIZE = 640;

const contentTypes: Record<ImageKind, string> = { png: 'image/png', jpg: 'image/jpeg', webp: 'image/webp', gif: 'image/gif' };

export interface StoredImage {
  id: number;
  url: string;
  thumbnailUrl: string | null;
  contentType: string;
  sizeBytes: number;
  width: number;
  height: number;
  /** Ready to paste into a post: the thumbnail linking to the full image. */
  markdown: string;
}

type SharpFactory = typeof SharpModule;
let sharpLoader: Promise<SharpFactory | null> | undefined;

/** sharp ships a native binary; where it cannot load, uploads are refused with a clear message rather than the server failing to start. */
function loadSharp(): Promise<SharpFactory | null> {
  sharpLoader ??= import('sharp').then(
    (m) => m.default,
    () => null,
  );
  return sharpLoader;
}

/** Alt text as Markdown will read it: one line, no brackets that would end the image syntax. */
function altText(alt: string | undefined): string {
  return (alt ?? '').replace(/[[\]\\\r\n]+/g, ' ').trim().slice(0, 200);
}

export async function storeImage(ctx: AppContext, viewer: Viewer, file: { bytes: Uint8Array; alt?: string }): Promise<StoredImage> {
  const actor = assertCanPost(viewer);
  if (file.bytes.length === 0) throw validationFailed({ image: 'Choose an image to upload.' });
  if (file.bytes.length > IMAGE_MAX_BYTES) throw validationFailed({ image: 'That image is larger than 8 MB. Choose a smaller one.' });
  const kind = sniffImage(file.bytes);
  if (!kind) throw validationFailed({ image: 'That file is not a PNG, JPEG, WebP or GIF image.' });
  const sharp = await loadSharp();
  if (!sharp) throw new AppError('images_unavailable', 503, 'Image processing is not available on this server, so images cannot be uploaded.');

  let original: Uint8Array;
  let thumbnail: Uint8Array;
  let width: number;
  let height: number;
  try {
    const input = Buffer.from(file.bytes);
    if (kind === 'gif') {
      // An animated GIF is kept as sent (re-encoding would flatten it); the thumbnail is its first frame.
      const meta = await sharp(input, { limitInputPixels: MAX_PIXELS }).metadata();
      width = meta.width ?? 0;
      height = meta.pageHeight ?? meta.height ?? 0;
      original = file.bytes;
    } else {
      const stored = await sharp(input, { limitInputPixels: MAX_PIXELS })
        .rotate()
        .resize({ width: MAX_STORED_SIZE, height: MAX_STORED_SIZE, fit: 'inside', withoutEnlargement: true })
        .toFormat(kind === 'jpg' ? 'jpeg' : kind, kind === 'jpg' ? { quality: 85, mozjpeg: true } : {})
        .toBuffer({ resolveWithObject: true });
      original = stored.data;
      width = stored.info.width;
      height = stored.info.height;
    }
    thumbnail = await sharp(input, { limitInputPixels: MAX_PIXELS })
      .rotate()
      .resize({ width: THUMBNAIL_SIZE, height: THUMBNAIL_SIZE, fit: 'inside', withoutEnlargement: true })
      .webp({ quality: 80 })
      .toBuffer();
  } catch {
    throw validationFailed({ image: 'That image could not be read. It may be damaged, or too large in pixels.' });
  }
  if (width <= 0 || height <= 0) throw validationFailed({ image: 'That image could not be read.' });

  const storage = storageFor(ctx);
  const name = randomBytes(12).toString('hex');
  const key = `images/${actor.id}/${name}.${kind}`;
  const thumbnailKey = `images/${actor.id}/${name}-thumb.webp`;
  await storage.put(key, original);
  await storage.put(thumbnailKey, thumbnail);
  const contentType = contentTypes[kind];
  const id = await engagementRepo.insertUpload(ctx.db, {
    ownerId: actor.id,
    storageKey: key,
    thumbnailKey,
    contentType,
    sizeBytes: original.length,
    width,
    height,
    at: new Date(),
  });
  const url = storage.urlFor(key);
  const thumbnailUrl = storage.urlFor(thumbnailKey);
  const alt = altText(file.alt);
  return { id, url, thumbnailUrl, contentType, sizeBytes: original.length, width, height, markdown: `[![${alt}](${thumbnailUrl})](${url})` };
}
