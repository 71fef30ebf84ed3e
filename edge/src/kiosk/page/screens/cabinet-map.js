import { h } from '../dom.js';
import { formatNumber, t } from '../i18n.js';

/**
 * @typedef {import('../types').KioskCabinet} KioskCabinet
 * @typedef {import('../types').KioskBox} KioskBox
 */

/**
 * Where the box is: the cabinet's front as the config draws it (rows and columns), the box highlighted.
 * A box spanning several cells is drawn once, over all of them. Screen readers get one sentence instead.
 * @param {KioskCabinet | null} cabinet
 * @param {string | null} boxNo
 */
export function cabinetMap(cabinet, boxNo) {
  const layout = cabinet?.layout;
  if (!layout || !boxNo) return null;
  const spans = new Map();
  layout.cells.forEach((row, r) => {
    row.forEach((cell, c) => {
      if (cell === null) return;
      const s = spans.get(cell) ?? { r0: r, r1: r, c0: c, c1: c };
      spans.set(cell, {
        r0: Math.min(s.r0, r),
        r1: Math.max(s.r1, r),
        c0: Math.min(s.c0, c),
        c1: Math.max(s.c1, c),
      });
    });
  });
  const cells = [...spans.entries()].map(([no, s]) =>
    h(
      'div',
      {
        class: `map-cell${no === boxNo ? ' is-here' : ''}`,
        style: `grid-row: ${s.r0 + 1} / ${s.r1 + 2}; grid-column: ${s.c0 + 1} / ${s.c1 + 2}`,
        'data-box': no,
      },
      no,
    ),
  );
  const where = spans.get(boxNo);
  const sentence = where
    ? t('map.where', {
        boxNo,
        row: where.r0 + 1,
        column: where.c0 + 1,
        rows: layout.rows,
        columns: layout.columns,
      })
    : '';
  return h(
    'figure',
    { class: 'cabinet-map', 'data-testid': 'cabinet-map' },
    h(
      'div',
      {
        class: 'map-grid',
        'aria-hidden': 'true',
        style: `grid-template-columns: repeat(${layout.columns}, 1fr); grid-template-rows: repeat(${layout.rows}, 1fr)`,
      },
      cells,
    ),
    h('figcaption', { class: 'map-caption' }, sentence),
  );
}

/**
 * "Medium · 40 × 20 × 50 cm": the size class with the box's inner size (width × height × depth).
 * @param {KioskCabinet | null} cabinet
 * @param {string | null} boxNo
 * @param {string | null} size
 */
export function sizeLine(cabinet, boxNo, size) {
  if (!size) return '';
  const box = cabinet?.boxes.find((b) => b.boxNo === boxNo);
  if (!box) return t(`size.${size}`);
  const d = box.dimensionsCm;
  return t('size.withDimensions', {
    size: t(`size.${size}`),
    width: formatNumber(d.width),
    height: formatNumber(d.height),
    depth: formatNumber(d.depth),
  });
}
