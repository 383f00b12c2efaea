import type { Context } from 'hono';
import type { AppContext } from '../context.ts';
import type { Role } from '../../features/accounts/tables.ts';

export interface CurrentUser {
  id: number;
  email: string;
  displayName: string;
  username: string;
  role: Role;
  emailVerified: boolean;
  avatarPath: string | null;
}

export interface Flash {
  kind: 'success' | 'error' | 'info';
  message: string;
}

/** Per-request values set by the platform middleware, read by routes and views. */
export interface HearthEnv {
  Variables: {
    app: AppContext;
    requestId: string;
    user: CurrentUser | null;
    sessionId: number | null;
    /** Scopes of the API key that authenticated this request, when one did. */
    apiScopes: string[] | null;
    csrfToken: string;
    flash: Flash | null;
    /** Set by a page whose every view must be counted, to run again when the anonymous page cache serves it. */
    onPageCacheHit?: () => void;
  };
}

export type HearthContext = Context<HearthEnv>;
