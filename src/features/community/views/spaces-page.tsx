import type { Child } from 'hono/jsx';
import { EmptyState, PageHeader } from '../../../web/components.tsx';
import type { Space } from '../service.ts';
import { SpaceCard } from './parts.tsx';

/** `after` follows the list, e.g. the private spaces a member could ask to join. */
export function SpacesPage({ spaces, after }: { spaces: Space[]; after?: Child }) {
  return (
    <div class="stack">
      <PageHeader title="Spaces" subtitle="Where the community gathers: pick a space to read, ask or share." breadcrumbs={[{ href: '/', label: 'Home' }]} />
      {spaces.length === 0 ? (
        <EmptyState icon="users" title="No spaces yet">
          An administrator creates the first spaces.
        </EmptyState>
      ) : (
        <div class="grid-3">
          {spaces.map((s) => (
            <SpaceCard space={s} />
          ))}
        </div>
      )}
      {after}
    </div>
  );
}
