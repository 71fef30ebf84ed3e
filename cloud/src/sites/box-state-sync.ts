import type { BoxState } from '@locker/protocol';
import type { SiteBoxStatus } from '../db/schema.js';
import type { CabinetRepository } from '../fleet/cabinet-repository.js';
import type { SiteRepository } from './site-repository.js';

/**
 * Keeps the patent's box records in step with what cabinets report. The cabinet is right about what
 * is physically going on (occupied, out of service, blocked); the cloud is right about rights it
 * handed out, so a box with a holder stays `reserved` while the cabinet still shows it free (the
 * desired state may not have reached it yet).
 */
export class BoxStateSync {
  constructor(
    private readonly sites: SiteRepository,
    private readonly cabinets: CabinetRepository,
  ) {}

  async apply(cabinetId: string, box: BoxState): Promise<void> {
    if (!(await this.sites.findSite(cabinetId))) {
      const cabinet = await this.cabinets.get(cabinetId);
      await this.sites.putSite({ siteNo: cabinetId, name: cabinet.name });
    }
    const current = await this.sites.findBox(cabinetId, box.boxNo);
    if (!current) {
      await this.sites.putBoxes(cabinetId, [{ boxNo: box.boxNo, size: box.size ?? 'medium' }]);
    } else if (box.size && box.size !== current.size) {
      await this.sites.putBoxes(cabinetId, [{ boxNo: box.boxNo, size: box.size }]);
    }
    const holder = current?.holder_id ?? null;
    const status: SiteBoxStatus =
      box.usage === 'free' || box.usage === 'reserved' ? (holder ? 'reserved' : 'free') : box.usage;
    if (current?.status === status) return;
    await this.sites.patch(this.sites.db, cabinetId, box.boxNo, { status });
  }
}
