import type { BoxSize } from '@locker/protocol';
import { boxLayout, type EdgeConfig } from '../config.js';
import type { KioskBox, KioskCabinet, KioskLayout } from './kiosk-api-types.js';

/** Usual inner sizes of the classes (cm, width x height x depth), shown when the config gives none. */
const CLASS_DIMENSIONS: Record<BoxSize, KioskBox['dimensionsCm']> = {
  small: { width: 40, height: 10, depth: 50 },
  medium: { width: 40, height: 20, depth: 50 },
  large: { width: 40, height: 35, depth: 50 },
  xlarge: { width: 40, height: 60, depth: 50 },
};

/** What the screen needs from the config and never changes while the daemon runs. */
export type ScreenConfig = Pick<KioskCabinet, 'locale' | 'timeZone' | 'hotline' | 'boxes' | 'layout'>;

export function screenConfig(config: EdgeConfig): ScreenConfig {
  const boxes = boxLayout(config).map((b) => ({
    boxNo: b.boxNo,
    size: b.size,
    dimensionsCm: b.dimensionsCm ?? CLASS_DIMENSIONS[b.size],
  }));
  return {
    locale: config.kiosk.locale,
    timeZone: config.kiosk.timeZone,
    hotline: config.kiosk.hotline ?? null,
    boxes,
    layout: config.layout ?? defaultLayout(boxes.map((b) => b.boxNo)),
  };
}

/** Without a configured layout: columns of up to six boxes, in box order, top to bottom. */
function defaultLayout(boxNos: string[]): KioskLayout {
  const rows = Math.min(6, boxNos.length);
  const columns = Math.ceil(boxNos.length / rows);
  const cells = Array.from({ length: rows }, (_, r) =>
    Array.from({ length: columns }, (_, c) => boxNos[c * rows + r] ?? null),
  );
  return { columns, rows, cells };
}
