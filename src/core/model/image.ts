/**
 * Image resource (Glance v2 subset): enough for `openstack image create|show|list|delete`, volumes
 * created from images and volumes uploaded to images. Pure types.
 */

export type ImageStatus = 'queued' | 'saving' | 'active' | 'killed' | 'deleted' | 'uploading' | 'importing' | 'deactivated';
export type DiskFormat = 'raw' | 'qcow2';
export type ImageVisibility = 'public' | 'private' | 'shared' | 'community';

export interface Image {
  name: string | null;
  status: ImageStatus;
  diskFormat: DiskFormat | null;
  containerFormat: string | null;
  visibility: ImageVisibility;
  protected: boolean;
  minDisk: number;
  minRam: number;
  size: number | null;
  /** Size of the disk the image holds (qcow2's virtual size), when known. */
  virtualSize: number | null;
  checksum: string | null;
  osHashAlgo: string | null;
  osHashValue: string | null;
  tags: string[];
  /** Free-form properties (Glance's additional properties). */
  properties: Record<string, string>;
}

export const IMAGE_KIND = 'image';
