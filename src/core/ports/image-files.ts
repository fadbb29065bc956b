/**
 * Port: where image bytes live (HOME/images for the local store). The image use cases store and
 * fetch whole files through it; the volume worker reads and writes them through `ImageBytes`
 * (ports/volume-jobs.ts). Pure types.
 *
 * Contract: `put` replaces the file atomically (temp file + rename) and returns its checksums;
 * `delete` of a missing file succeeds.
 */

export interface StoredImageFile {
  size: number;
  /** md5, hex (Glance's legacy `checksum`). */
  checksum: string;
  sha512: string;
  /** The disk size the image holds (qcow2's virtual size; raw: the file size). */
  virtualSize: number;
}

export interface ImageFiles {
  put(imageId: string, bytes: Uint8Array): Promise<StoredImageFile>;
  get(imageId: string): Promise<Uint8Array | undefined>;
  delete(imageId: string): Promise<void>;
}
