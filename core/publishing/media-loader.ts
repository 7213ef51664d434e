import type { MediaLoader } from '../../integrations/platform.js';
import { PlatformError } from '../../integrations/platform.js';
import type { DbOrTx } from '../db/database.js';
import { readMedia } from '../media/media.service.js';

const ID = /([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})/i;

/**
 * Loads library images for the publisher: a reference is a media id (covers, pictures) or a body
 * `<img src="/api/media/<id>/file">`. Only the organisation's own images are served.
 */
export function libraryMediaLoader(
  ctx: { db: DbOrTx; dataDir: string },
  organisationId: string,
  platform: 'wechat' | 'weibo',
): MediaLoader {
  return {
    async load(ref) {
      const id = ID.exec(ref)?.[1];
      try {
        if (!id) throw new Error('not a library reference');
        const { media, bytes } = await readMedia(ctx, id, organisationId);
        return { bytes, filename: media.originalName };
      } catch {
        throw new PlatformError('invalid_content', platform, `image ${ref} is not in the library`, {
          editorMessage: `图片 ${ref} 不在素材库中（可能已被删除），请重新上传后再发布。`,
        });
      }
    },
  };
}
