import { sealForCloud } from '../credentials/code-sealer.js';
import type { IssuedCode } from '../credentials/pickup-codes.js';
import { restingUsage } from '../parcels/parcel-store.js';
import type { FlowDeps } from './flow-context.js';
import { expiryFrom } from './flow-context.js';
import type { SessionRecord } from './session-store.js';

/**
 * The commits that end a flow. Each is one transaction: parcel row, codes, box usage, grant mark, the
 * events and the session's final state, so a power cut leaves either all of it or none (and the restart
 * recovery then finishes the session from the sensors).
 */
export function completeDeposit(deps: FlowDeps, s: SessionRecord): SessionRecord {
  let issued: IssuedCode | undefined;
  const done = deps.store.tx(() => {
    const fresh = deps.sessions.get(s.id);
    if (!fresh || (fresh.state !== 'open' && fresh.state !== 'door_open') || !fresh.boxNo) return fresh ?? s;
    const boxNo = fresh.boxNo;
    const box = deps.boxes.get(boxNo);
    const expiresAt = expiryFrom(deps);
    const depositor = fresh.data.courierId ?? fresh.data.userNo;
    const parcel = deps.parcels.create({
      boxNo,
      size: box.size,
      depositor,
      // Kept with the parcel: a colleague may recollect it even after this courier's credential is gone.
      depositorCompany: fresh.data.courierId ? deps.credentials.companyOf(fresh.data.courierId) : null,
      grantId: fresh.data.grantId,
      expiresAt,
    });
    issued = issuePickupCodes(deps, parcel.parcelId, expiresAt);
    const sealedCode = sealForCloud(deps.config.cloudCodeKey, deps.config.cabinetId, parcel.parcelId, issued);
    if (box.usage !== 'occupied') deps.boxes.apply(boxNo, { usage: 'occupied' }, 'flow');
    if (fresh.data.grantId && fresh.data.userNo) {
      deps.credentials.markGrantUsed(fresh.data.grantId, parcel.depositedAt, parcel.parcelId);
      deps.outbox.append('grant.used', {
        grantId: fresh.data.grantId,
        boxNo,
        userNo: fresh.data.userNo,
        kind: 'deposit',
      });
    }
    deps.outbox.append('parcel.deposited', {
      boxNo,
      parcelId: parcel.parcelId,
      size: box.size,
      ...(depositor ? { depositor } : {}),
      ...(fresh.data.grantId ? { grantId: fresh.data.grantId } : {}),
      ...(fresh.data.waybill ? { waybill: fresh.data.waybill } : {}),
      ...(fresh.data.recipientTel ? { recipientTel: fresh.data.recipientTel } : {}),
      // Operators can read events (ADR 0006): the code travels only sealed to the cloud (ADR 0013).
      ...(sealedCode ? { sealedCode } : {}),
      expiresAt,
    });
    deps.logger.info({ boxNo, parcelId: parcel.parcelId, sessionId: s.id }, 'parcel deposited');
    return deps.sessions.update(fresh, {
      state: 'completed',
      data: {
        parcelId: parcel.parcelId,
        message: `Deposited in box ${boxNo}.`,
        // What the code screen may promise: the cloud can tell the recipient only with the sealed code
        // and someone to tell.
        codeSentTo: !sealedCode
          ? null
          : fresh.data.recipientTel
            ? 'phone'
            : fresh.data.waybill
              ? 'waybill'
              : null,
      },
    });
  });
  // Only after the commit: the codes then exist in memory alone, for the answer that shows them.
  if (issued) deps.sessions.handOver(done.id, issued);
  return done;
}

/**
 * The one place a deposit's codes are made (inside the deposit's transaction: only their HMACs are
 * stored) and returned in plain to the caller, which hands them to the courier's screen and nowhere else.
 */
function issuePickupCodes(deps: FlowDeps, parcelId: string, expiresAt: string): IssuedCode {
  return deps.codes.issue(parcelId, expiresAt);
}

export function completePickup(deps: FlowDeps, s: SessionRecord): SessionRecord {
  return deps.store.tx(() => {
    const fresh = deps.sessions.get(s.id);
    if (!fresh || (fresh.state !== 'open' && fresh.state !== 'door_open') || !fresh.boxNo) return fresh ?? s;
    const boxNo = fresh.boxNo;
    const parcelId = fresh.data.parcelId;
    const at = new Date().toISOString();
    if (parcelId) {
      deps.parcels.markPickedUp(parcelId, at);
      deps.codes.spend(parcelId, at);
    }
    if (fresh.data.grantId && fresh.data.userNo) {
      deps.credentials.markGrantUsed(fresh.data.grantId, at, parcelId);
      deps.outbox.append('grant.used', {
        grantId: fresh.data.grantId,
        boxNo,
        userNo: fresh.data.userNo,
        kind: 'pickup',
      });
    }
    if (parcelId) {
      deps.outbox.append('parcel.picked_up', {
        boxNo,
        parcelId,
        ...(fresh.data.via ? { via: fresh.data.via } : {}),
        ...(fresh.data.grantId ? { grantId: fresh.data.grantId } : {}),
      });
    }
    const box = deps.boxes.get(boxNo);
    if (box.usage === 'occupied') deps.boxes.apply(boxNo, { usage: restingUsage(deps.store, boxNo) }, 'flow');
    deps.logger.info({ boxNo, parcelId, sessionId: s.id }, 'parcel picked up');
    return deps.sessions.update(fresh, { state: 'completed', data: { message: 'Thank you. Box closed.' } });
  });
}
