import { allowUploadBody, mountUploads } from '../../platform/storage/index.ts';
import type { Feature } from '../index.ts';
import { mountAccountRoutes } from './routes.tsx';
import { AVATAR_MAX_BYTES } from './service.ts';

/**
 * Everything a member does with their account: sign-up and email confirmation, signing in and out,
 * password reset, first-run setup, settings, public profiles and `/api/v1/me`.
 */
export const accountsFeature: Feature = {
  name: 'accounts',
  mount(args) {
    // Avatars are the first uploads; the route is the platform's and serves every feature's files.
    mountUploads(args.app, args.ctx);
    // The multipart envelope and the CSRF field need a little room beyond the image itself.
    allowUploadBody('/settings/avatar', AVATAR_MAX_BYTES + 64 * 1024);
    mountAccountRoutes(args);
  },
};
