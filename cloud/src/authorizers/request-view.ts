import type { UserRepository } from '../accounts/user-repository.js';
import type { AuthorizerRegistry } from './authorizer-registry.js';
import type { RequestRow } from './request-repository.js';

/** A third-party request as its holder sees it (step F: `granted` with the grantee). */
export interface AuthorizationRequestView {
  id: string;
  siteNo: string;
  boxNo: string;
  size: string;
  authorizer: { no: string; name: string };
  state: RequestRow['state'];
  grantee: { id: string; name: string; userNo: string | null } | null;
  grantId: string | null;
  failureCode: string | null;
  expiresAt: string;
  createdAt: string;
  updatedAt: string;
}

export class RequestViews {
  constructor(
    private readonly registry: AuthorizerRegistry,
    private readonly users: UserRepository,
  ) {}

  async of(r: RequestRow): Promise<AuthorizationRequestView> {
    const authorizer = await this.registry.find(r.authorizer_no);
    const grantee = r.grantee_id ? await this.users.find(r.grantee_id) : undefined;
    return {
      id: r.id,
      siteNo: r.site_no,
      boxNo: r.box_no,
      size: r.size,
      authorizer: { no: r.authorizer_no, name: authorizer?.name ?? r.authorizer_no },
      state: r.state,
      grantee: grantee ? { id: grantee.id, name: grantee.name, userNo: grantee.tel } : null,
      grantId: r.grant_id,
      failureCode: r.failure_code,
      expiresAt: r.expires_at,
      createdAt: r.created_at,
      updatedAt: r.updated_at,
    };
  }
}
