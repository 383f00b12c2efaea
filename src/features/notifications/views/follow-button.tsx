import type { HearthContext } from '../../../platform/http/env.ts';
import { Button, Form } from '../../../web/components.tsx';
import { isFollowing } from '../service.ts';
import type { FollowTargetKind } from '../tables.ts';

const nouns: Record<FollowTargetKind, string> = { topic: 'topic', space: 'space', tag: 'tag' };

/**
 * Follow or unfollow a topic, space or tag: a real form (works without JavaScript) that returns to the
 * page it was on. Visitors see nothing, so public pages stay free of per-member queries.
 */
export async function FollowButton({ c, kind, id, target, name }: { c: HearthContext; kind: FollowTargetKind; id: number; target: string; name: string }) {
  const viewer = c.get('user');
  if (!viewer) return null;
  const following = await isFollowing(c.get('app'), viewer, kind, id);
  const url = new URL(c.req.url);
  return (
    <Form c={c} action="/follows" class="follow-form">
      <input type="hidden" name="kind" value={kind} />
      <input type="hidden" name="target" value={target} />
      <input type="hidden" name="action" value={following ? 'unfollow' : 'follow'} />
      <input type="hidden" name="return" value={url.pathname + url.search} />
      <Button
        variant={following ? 'secondary' : 'ghost'}
        size="sm"
        icon={following ? 'check' : 'bell'}
        label={following ? `Following this ${nouns[kind]}: stop following ${name}` : `Follow ${name}`}
      >
        {following ? 'Following' : 'Follow'}
      </Button>
    </Form>
  );
}
