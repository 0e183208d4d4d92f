// How strongly a user must have logged in, by their roles, and whether a login is strong enough.
// The levels are ID-porten's; `amr` containing `mfa` (as Entra ID and most staff identity providers
// send for multi-factor logins) counts as the highest level.
import type { RoleName } from './viewer.js';

export const loginLevels = ['idporten-loa-substantial', 'idporten-loa-high'] as const;
export type LoginLevel = (typeof loginLevels)[number];

/** What the identity provider vouched for. */
export interface LoginStrength {
  readonly acr: string | undefined;
  readonly amr: readonly string[];
}

/** The level each kind of user needs; null means any login will do. */
export interface LoginLevelSettings {
  readonly staff: LoginLevel | null;
  readonly customer: LoginLevel | null;
  /** Innrapportører deliver with this level (the seed's two-factor rule). */
  readonly reporting: LoginLevel | null;
}

// Older ID-porten names for the same levels.
const rank: Record<string, number> = { 'idporten-loa-substantial': 1, Level3: 1, 'idporten-loa-high': 2, Level4: 2 };

export function isLoginLevel(value: string): value is LoginLevel {
  return (loginLevels as readonly string[]).includes(value);
}

/**
 * Centre staff (caseworkers, admins, editors) need the staff level; innrapportører the stronger of the
 * reporting and customer levels; everyone else the customer level.
 */
export function requiredLevel(roles: readonly RoleName[], settings: LoginLevelSettings): LoginLevel | null {
  const staff = roles.some((role) => role === 'caseworker' || role === 'admin' || role === 'editor');
  if (staff) return settings.staff;
  if (roles.includes('reporter')) return stronger(settings.reporting, settings.customer);
  return settings.customer;
}

function stronger(a: LoginLevel | null, b: LoginLevel | null): LoginLevel | null {
  if (a === null) return b;
  if (b === null) return a;
  return rank[a]! >= rank[b]! ? a : b;
}

export function meetsLevel(strength: LoginStrength, required: LoginLevel | null): boolean {
  if (required === null) return true;
  if (strength.amr.includes('mfa')) return true;
  return (rank[strength.acr ?? ''] ?? 0) >= rank[required]!;
}
