import type { CurrentUser } from '../../platform/http/env.ts';
import { forbidden, unauthorized } from '../../platform/http/errors.ts';

/**
 * Who changes store data: a request (an admin's session, or an API key holding a `commerce:*`
 * scope), or the system itself (a verified webhook, the CLI import, an event subscriber).
 */
export type CommerceActor = { kind: 'system' } | { kind: 'request'; user: CurrentUser | null; apiScopes: string[] | null };

export const systemActor: CommerceActor = { kind: 'system' };

/** Store data is the brand's: staff-only. `write` implies `read`. */
export function requireCommerce(actor: CommerceActor, access: 'read' | 'write'): void {
  if (actor.kind === 'system') return;
  if (actor.apiScopes) {
    const allowed = access === 'read' ? ['commerce:read', 'commerce:write'] : ['commerce:write'];
    if (!actor.apiScopes.some((s) => allowed.includes(s))) throw forbidden(`This request needs the \`commerce:${access}\` scope.`);
    if (actor.user && actor.user.role !== 'admin') throw forbidden('The member this API key acts for is no longer an administrator.');
    return;
  }
  if (!actor.user) throw unauthorized('Sign in as an administrator to continue.');
  if (actor.user.role !== 'admin') throw forbidden('Only administrators can see store data.');
}

/** The id an actor's changes are recorded under in the event stream. */
export function actorId(actor: CommerceActor): number | null {
  return actor.kind === 'request' ? (actor.user?.id ?? null) : null;
}
