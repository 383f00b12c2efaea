import type { HearthContext } from '../../../platform/http/env.ts';
import { Badge, Button, Card } from '../../../web/components.tsx';
import { Avatar } from '../../../web/layout.tsx';
import type { PublicProfile } from '../schema.ts';

const joinedFormat = new Intl.DateTimeFormat('en-GB', { month: 'long', year: 'numeric', timeZone: 'UTC' });

/** A bio is plain text: blank lines separate paragraphs and single newlines stay line breaks. */
function BioText({ text }: { text: string }) {
  const paragraphs = text
    .split(/\n\s*\n/)
    .map((p) => p.trim())
    .filter(Boolean);
  return (
    <div class="prose">
      {paragraphs.map((p) => (
        <p>
          {p.split('\n').map((line, i) => (
            <>
              {i > 0 && <br />}
              {line}
            </>
          ))}
        </p>
      ))}
    </div>
  );
}

export function ProfilePage({ c, profile }: { c: HearthContext; profile: PublicProfile }) {
  const viewer = c.get('user');
  const own = viewer?.username === profile.username;
  const joined = new Date(profile.joinedAt);
  return (
    <div class="split">
      <div class="stack">
        <Card>
          <div class="cluster">
            <Avatar name={profile.displayName} path={profile.avatarUrl} size={96} />
            <div class="stack">
              <h1>{profile.displayName}</h1>
              <p class="muted">
                @{profile.username}
                {profile.role === 'admin' && (
                  <>
                    {' '}
                    <Badge tone="info">Admin</Badge>
                  </>
                )}
                {profile.role === 'moderator' && (
                  <>
                    {' '}
                    <Badge tone="success">Moderator</Badge>
                  </>
                )}
              </p>
              <p class="small muted">
                Joined <time datetime={profile.joinedAt}>{joinedFormat.format(joined)}</time>
              </p>
            </div>
          </div>
        </Card>
        <Card title="About">{profile.bio ? <BioText text={profile.bio} /> : <p class="muted">{own ? 'You have not written a bio yet.' : `${profile.displayName} has not written a bio yet.`}</p>}</Card>
      </div>
      {own && (
        <aside class="sidebar">
          <Button variant="secondary" href="/settings">
            Edit profile
          </Button>
        </aside>
      )}
    </div>
  );
}
