/**
 * Image module: the Glance v2 subset under /image, bytes in HOME/images. Part of the composition
 * root: may import every layer.
 */
import { join } from 'node:path';
import { registerImageApi } from '../api/image/index.js';
import { ImageService } from '../core/image/image-service.js';
import { LocalImageStore } from '../drivers/image/local-image-store.js';
import type { ModuleFactory } from './module.js';

export const imageModule: ModuleFactory = ({ app, resources, ids, home }) => {
  registerImageApi(app, new ImageService(resources, ids, new LocalImageStore(join(home, 'images'))));
  return {
    name: 'image',
    catalog: (base) => [{ type: 'image', name: 'glance', description: 'Image service (Glance v2 subset)', url: `${base}/image` }],
  };
};
