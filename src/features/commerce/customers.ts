import type { Transaction } from 'kysely';
import type { AppContext } from '../../platform/context.ts';
import type { DB } from '../../platform/db/schema.ts';
import { notFound, validationFailed } from '../../platform/http/errors.ts';
import { toPage, type Page } from '../../platform/http/pagination.ts';
import { publishEvent, type Executor } from '../../platform/jobs/registry.ts';
import { actorId, requireCommerce, type CommerceActor } from './access.ts';
import * as repo from './repo.ts';
import type { Customer } from './repo.ts';

export type Trx = Transaction<DB>;

/** A customer as any channel describes it; fields left undefined are kept as they are. */
export interface CustomerInput {
  source: string;
  externalId?: string | null;
  email?: string | null;
  firstName?: string;
  lastName?: string;
  acceptsMarketing?: boolean;
  addressLine?: string;
  postcode?: string;
  country?: string;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function isEmail(value: string): boolean {
  return value.length <= 254 && EMAIL.test(value);
}

/**
 * One mailbox, one form: lower case, the `+tag` dropped, and for Gmail the dots dropped too, so
 * `Jane.Doe+shop@gmail.com` and `janedoe@googlemail.com` compare equal (referral fraud checks).
 */
export function normalizeEmail(email: string): string {
  const lower = email.trim().toLowerCase();
  const at = lower.lastIndexOf('@');
  if (at < 1) return lower;
  let local = lower.slice(0, at);
  let domain = lower.slice(at + 1);
  const plus = local.indexOf('+');
  if (plus > 0) local = local.slice(0, plus);
  if (domain === 'googlemail.com') domain = 'gmail.com';
  if (domain === 'gmail.com') local = local.replace(/\./g, '');
  return `${local}@${domain}`;
}

export function customerEventPayload(c: Customer) {
  return { customerId: c.id, userId: c.userId, email: c.email };
}

/**
 * Creates or updates a customer: found by its id at the source, else (no external id) by email.
 * Publishes `customer.created`, or `customer.updated` only when something changed, and links the
 * customer to the member with that confirmed email (`customer.linked`).
 */
export async function upsertCustomerIn(ctx: AppContext, trx: Trx, input: CustomerInput, actor: number | null = null): Promise<{ customer: Customer; created: boolean }> {
  const email = inputEmail(input);
  if (email && !isEmail(email)) throw validationFailed({ email: `“${email}” is not an email address.` });
  if (!input.externalId && !email) throw validationFailed({ email: 'A customer needs an email address or an external id.' });

  let existing = input.externalId ? await repo.findCustomerByExternalId(trx, input.source, input.externalId) : email ? await repo.findCustomerByEmail(trx, email) : null;
  if (!existing && input.externalId && email) {
    // A customer first known only by email (an order imported from CSV) takes its store id now.
    const placeholder = await repo.findCustomerByEmail(trx, email, { withoutExternalId: true });
    if (placeholder) {
      const row = await trx
        .updateTable('commerce_customers')
        .set({ source: input.source, external_id: input.externalId })
        .where('id', '=', placeholder.id)
        .returningAll()
        .executeTakeFirstOrThrow();
      existing = repo.toCustomer(row);
    }
  }

  if (!existing) {
    const inserted = await trx
      .insertInto('commerce_customers')
      .values({
        source: input.source,
        external_id: input.externalId ?? null,
        email: email ?? null,
        email_normalized: email ? normalizeEmail(email) : null,
        first_name: input.firstName ?? '',
        last_name: input.lastName ?? '',
        accepts_marketing: input.acceptsMarketing ?? false,
        address_line: input.addressLine ?? '',
        postcode: input.postcode ?? '',
        country: input.country ?? '',
      })
      // A concurrent delivery created this customer first: then it is updated below instead.
      .onConflict((oc) => oc.columns(['source', 'external_id']).where('external_id', 'is not', null).doNothing())
      .returningAll()
      .executeTakeFirst();
    if (!inserted && input.externalId) existing = await repo.findCustomerByExternalId(trx, input.source, input.externalId);
    if (!existing) {
      if (!inserted) throw new Error(`customer ${input.source}/${input.externalId ?? ''} is neither inserted nor found`);
      return announceNewCustomer(ctx, trx, repo.toCustomer(inserted), actor);
    }
  }
  return updateKnownCustomer(ctx, trx, existing, input, email, actor);
}

/** A new customer: linked at once when a member has confirmed the email, then announced. */
async function announceNewCustomer(ctx: AppContext, trx: Trx, inserted: Customer, actor: number | null): Promise<{ customer: Customer; created: boolean }> {
  let customer = inserted;
  const userId = customer.email ? await repo.findVerifiedUserIdByEmail(trx, customer.email) : null;
  if (userId !== null) customer = await linkIn(trx, customer.id, userId);
  await publishEvent(trx, ctx.jobs, 'customer.created', customerEventPayload(customer), actor);
  if (customer.userId !== null) await publishEvent(trx, ctx.jobs, 'customer.linked', { customerId: customer.id, userId: customer.userId }, actor);
  return { customer, created: true };
}

/** The address as stored: trimmed, blank as null; undefined when the input leaves it as it is. */
function inputEmail(input: CustomerInput): string | null | undefined {
  return input.email === undefined ? undefined : input.email === null || input.email.trim() === '' ? null : input.email.trim();
}

/** What a known customer's fields become with this input, and whether any of them changes. */
function mergedCustomer(existing: Customer, input: CustomerInput, email: string | null | undefined) {
  const next = {
    email: email === undefined ? existing.email : email,
    first_name: input.firstName ?? existing.firstName,
    last_name: input.lastName ?? existing.lastName,
    accepts_marketing: input.acceptsMarketing ?? existing.acceptsMarketing,
    address_line: input.addressLine ?? existing.addressLine,
    postcode: input.postcode ?? existing.postcode,
    country: input.country ?? existing.country,
  };
  const changed =
    next.email !== existing.email ||
    next.first_name !== existing.firstName ||
    next.last_name !== existing.lastName ||
    next.accepts_marketing !== existing.acceptsMarketing ||
    next.address_line !== existing.addressLine ||
    next.postcode !== existing.postcode ||
    next.country !== existing.country;
  return { next, changed };
}

/**
 * Of these inputs, the customers already known by their id at the source whom the input would not change,
 * found in one query, keyed by `customerKey`: what `upsertCustomerIn` would return without writing anything.
 */
export async function unchangedCustomers(db: Executor, inputs: CustomerInput[]): Promise<Map<string, Customer>> {
  const found = new Map<string, Customer>();
  const bySource = new Map<string, string[]>();
  for (const input of inputs) if (input.externalId) bySource.set(input.source, [...(bySource.get(input.source) ?? []), input.externalId]);
  for (const [source, externalIds] of bySource) {
    const rows = await db.selectFrom('commerce_customers').selectAll().where('source', '=', source).where('external_id', 'in', externalIds).execute();
    for (const r of rows) found.set(customerKey({ source, externalId: r.external_id }), repo.toCustomer(r));
  }
  const unchanged = new Map<string, Customer>();
  // A customer named by several inputs counts only if none of them changes it.
  const changing = new Set<string>();
  for (const input of inputs) {
    const key = customerKey(input);
    const existing = input.externalId ? found.get(key) : undefined;
    const email = inputEmail(input);
    if (!existing || (email && !isEmail(email)) || mergedCustomer(existing, input, email).changed) changing.add(key);
    else unchanged.set(key, existing);
  }
  for (const key of changing) unchanged.delete(key);
  return unchanged;
}

export function customerKey(input: Pick<CustomerInput, 'source' | 'externalId'>): string {
  return `${input.source}\u0000${input.externalId ?? ''}`;
}

/** A known customer: changed fields written, `customer.updated` only when something changed. */
async function updateKnownCustomer(ctx: AppContext, trx: Trx, existing: Customer, input: CustomerInput, email: string | null | undefined, actor: number | null): Promise<{ customer: Customer; created: boolean }> {
  const { next, changed } = mergedCustomer(existing, input, email);
  if (!changed) return { customer: existing, created: false };

  const row = await trx
    .updateTable('commerce_customers')
    .set({ ...next, email_normalized: next.email ? normalizeEmail(next.email) : null, updated_at: new Date() })
    .where('id', '=', existing.id)
    .returningAll()
    .executeTakeFirstOrThrow();
  let customer = repo.toCustomer(row);
  const userId = customer.userId === null && customer.email ? await repo.findVerifiedUserIdByEmail(trx, customer.email) : null;
  if (userId !== null) customer = await linkIn(trx, customer.id, userId);
  await publishEvent(trx, ctx.jobs, 'customer.updated', customerEventPayload(customer), actor);
  if (userId !== null) await publishEvent(trx, ctx.jobs, 'customer.linked', { customerId: customer.id, userId }, actor);
  return { customer, created: false };
}

async function linkIn(trx: Trx, customerId: number, userId: number): Promise<Customer> {
  const row = await trx
    .updateTable('commerce_customers')
    .set({ user_id: userId, linked_at: new Date() })
    .where('id', '=', customerId)
    .returningAll()
    .executeTakeFirstOrThrow();
  return repo.toCustomer(row);
}

/**
 * Links every unlinked customer with this member's confirmed address, publishing `customer.linked`
 * for each. Run again it finds nothing left to link, so a replayed event changes nothing.
 */
export async function linkCustomersToMember(ctx: AppContext, userId: number): Promise<number[]> {
  return ctx.db.transaction().execute(async (trx) => {
    const user = await trx.selectFrom('users').select(['email', 'email_verified_at']).where('id', '=', userId).executeTakeFirst();
    if (!user?.email_verified_at) return [];
    const rows = await trx
      .updateTable('commerce_customers')
      .set({ user_id: userId, linked_at: new Date() })
      .where('user_id', 'is', null)
      .where((eb) => eb(eb.fn('lower', ['email']), '=', user.email.toLowerCase()))
      .returning('id')
      .execute();
    for (const r of rows) await publishEvent(trx, ctx.jobs, 'customer.linked', { customerId: r.id, userId });
    return rows.map((r) => r.id);
  });
}

// ------------------------------------------------------------------------------------------ reading

export async function getCustomer(ctx: AppContext, actor: CommerceActor, id: number, db: Executor = ctx.db): Promise<Customer> {
  requireCommerce(actor, 'read');
  const customer = await repo.findCustomerById(db, id);
  if (!customer) throw notFound(`There is no customer ${id}.`);
  return customer;
}

export interface CustomerListQuery {
  cursor?: string;
  limit: number;
  email?: string;
  linked?: boolean;
}

export async function listCustomers(ctx: AppContext, actor: CommerceActor, query: CustomerListQuery): Promise<Page<Customer>> {
  requireCommerce(actor, 'read');
  let q = ctx.db
    .selectFrom('commerce_customers')
    .selectAll()
    .select(repo.timeText('created_at').as('created_text'))
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(query.limit + 1);
  const older = repo.olderThan(query.cursor, 'created_at', 'id');
  if (older) q = q.where(older);
  if (query.email) {
    const email = query.email.trim().toLowerCase();
    q = q.where((eb) => eb.or([eb(eb.fn('lower', ['email']), '=', email), eb('email_normalized', '=', normalizeEmail(email))]));
  }
  if (query.linked !== undefined) q = q.where('user_id', query.linked ? 'is not' : 'is', null);
  const page = toPage(await q.execute(), query.limit, (r) => [r.created_text, r.id]);
  return { items: page.items.map(repo.toCustomer), nextCursor: page.nextCursor };
}

export { actorId };
