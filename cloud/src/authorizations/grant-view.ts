import type { UserRow } from '../accounts/user-repository.js';
import type { GrantRow } from './grant-repository.js';

/** A grant as its holder and grantee see it (never its verifier). */
export interface GrantView {
  id: string;
  kind: GrantRow['kind'];
  siteNo: string;
  boxNo: string;
  state: GrantRow['state'];
  expiresAt: string;
  createdAt: string;
  holder: { id: string; name: string };
  grantee: { id: string; name: string };
  /** The third-party authorizer that chose the grantee (method 2). */
  authorizerNo?: string;
}

/** What the sealed access code is bound to: it opens only for this grant and this grantee. */
export function sealBinding(g: Pick<GrantRow, 'id' | 'grantee_id'>): string {
  return `grant-access:${g.id}:${g.grantee_id}`;
}

export function toView(g: GrantRow, holder: UserRow, grantee: UserRow): GrantView {
  return {
    id: g.id,
    kind: g.kind,
    siteNo: g.site_no,
    boxNo: g.box_no,
    state: g.state,
    expiresAt: g.expires_at,
    createdAt: g.created_at,
    holder: { id: holder.id, name: holder.name },
    grantee: { id: grantee.id, name: grantee.name },
    ...(g.authorizer_no ? { authorizerNo: g.authorizer_no } : {}),
  };
}
