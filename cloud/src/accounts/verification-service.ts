import { LockerError } from '@locker/protocol';
import type { VerifyStatus } from '../db/schema.js';
import type { PhotoRepository } from './photo-repository.js';
import { parseProfilePhoto } from './profile-photo.js';
import { ResidentIdNumber } from './resident-id-number.js';
import type { SecretSeal } from './secret-seal.js';
import type { UserRepository, UserRow } from './user-repository.js';

export interface IdentitySubmission {
  tel: string;
  email?: string | null | undefined;
  realName: string;
  prcId: string;
  address: string;
  /** Required on first submission; later ones may keep the stored photo. */
  photo?: Buffer | undefined;
}

export interface VerificationState {
  status: VerifyStatus;
  submittedAt: string | null;
  decidedAt: string | null;
  note: string | null;
}

/** What an operator sees to decide; the identity number is unsealed only here. */
export interface VerificationCase extends VerificationState {
  userId: string;
  name: string;
  tel: string | null;
  realName: string | null;
  prcId: string | null;
  address: string | null;
}

/**
 * Identity verification (Dingo §1.2/1.3): a user submits tel, real name, PRC id number, photo and
 * address; the account is pending until an operator passes or rejects it. The photo doubles as
 * the avatar, as the document says.
 */
export class VerificationService {
  constructor(
    private readonly users: UserRepository,
    private readonly photos: PhotoRepository,
    private readonly seal: SecretSeal,
    /** Tells the user the decision (NotificationService.publish); injected to keep layers apart. */
    private readonly notify: (
      userId: string,
      kind: string,
      payload: unknown,
    ) => Promise<unknown> = async () => {},
  ) {}

  async submit(userId: string, s: IdentitySubmission): Promise<VerificationState> {
    const prcId = ResidentIdNumber.parse(s.prcId);
    // Check the photo before writing anything, so a refused photo leaves the account as it was.
    const photo = s.photo ? await parseProfilePhoto(s.photo) : undefined;
    if (!photo && !(await this.photos.find(userId))) {
      throw new LockerError('VALIDATION_FAILED', 'a photo is required for verification');
    }
    const user = await this.users.get(userId);
    const unchanged =
      !photo &&
      user.tel === s.tel &&
      user.real_name === s.realName &&
      user.address === s.address &&
      user.prc_id_sealed !== null &&
      this.seal.open(user.prc_id_sealed, userId) === prcId;
    if (unchanged && (user.verify_status === 'passed' || user.verify_status === 'pending')) {
      // Dingo's usrinfochange re-sends every field; resending the same identity keeps its state.
      if (s.email !== undefined) await this.users.updateContact(userId, { email: s.email });
      return stateOf(user);
    }
    await this.users.updateContact(userId, {
      tel: s.tel,
      ...(s.email !== undefined ? { email: s.email } : {}),
    });
    if (photo) await this.photos.put(userId, photo);
    await this.users.submitIdentity(userId, {
      realName: s.realName,
      prcIdSealed: this.seal.seal(prcId, userId),
      address: s.address,
    });
    return this.state(userId);
  }

  async state(userId: string): Promise<VerificationState> {
    return stateOf(await this.users.get(userId));
  }

  async decide(userId: string, decision: 'pass' | 'reject', note?: string): Promise<VerificationState> {
    await this.users.get(userId);
    const done = await this.users.decide(userId, decision === 'pass' ? 'passed' : 'rejected', note ?? null);
    if (!done) throw new LockerError('INVALID_TRANSITION', `verification of ${userId} is not pending`);
    const state = await this.state(userId);
    await this.notify(userId, 'verification.decided', { status: state.status, note: state.note });
    return state;
  }

  async list(status: VerifyStatus = 'pending'): Promise<VerificationCase[]> {
    const rows = await this.users.listByStatus(status);
    return rows.map((u) => ({
      ...stateOf(u),
      userId: u.id,
      name: u.name,
      tel: u.tel,
      realName: u.real_name,
      prcId: u.prc_id_sealed ? (this.seal.open(u.prc_id_sealed, u.id) ?? null) : null,
      address: u.address,
    }));
  }

  /** Replaces the photo (avatar) without touching the verification state. */
  async setPhoto(userId: string, data: Buffer): Promise<void> {
    const photo = await parseProfilePhoto(data);
    await this.users.get(userId);
    await this.photos.put(userId, photo);
  }

  /** USER_NOT_FOUND for an unknown user, AVATAR_NOT_FOUND for a user without a photo. */
  async photo(userId: string): Promise<{ contentType: string; data: Buffer }> {
    const photo = await this.photos.find(userId);
    if (photo) return photo;
    await this.users.get(userId);
    throw new LockerError('AVATAR_NOT_FOUND', `user ${userId} has no photo`);
  }
}

function stateOf(u: UserRow): VerificationState {
  return {
    status: u.verify_status,
    submittedAt: u.verify_submitted_at,
    decidedAt: u.verify_decided_at,
    note: u.verify_note,
  };
}
