import type { Generated } from 'kysely';

export type MediaMime = 'image/jpeg' | 'image/png' | 'image/gif';

export interface MediaTable {
  id: Generated<string>;
  organisation_id: string;
  sha256: string;
  mime: MediaMime;
  bytes: number;
  width: number | null;
  height: number | null;
  original_name: string;
  created_by: string | null;
  created_at: Generated<Date>;
}

export interface MediaPlatformRefsTable {
  media_id: string;
  account_id: string;
  /** body_url: media/uploadimg's URL; thumb_media_id: a permanent cover material. */
  kind: 'body_url' | 'thumb_media_id';
  value: string;
  created_at: Generated<Date>;
}
