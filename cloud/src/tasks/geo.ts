/** Mean Earth radius (IUGG), metres. Distances are great-circle on this sphere. */
export const EARTH_RADIUS_M = 6_371_008.8;
/** Height of one latitude band of the nearby index, degrees (about 1.1 km). */
export const BAND_DEG = 0.01;

const rad = (deg: number) => (deg * Math.PI) / 180;
const deg = (r: number) => (r * 180) / Math.PI;

/** Great-circle distance by the haversine formula, metres. */
export function haversineMetres(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const dLat = rad(lat2 - lat1);
  const dLon = rad(lon2 - lon1);
  const a = Math.sin(dLat / 2) ** 2 + Math.cos(rad(lat1)) * Math.cos(rad(lat2)) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(a)));
}

export const bandOf = (lat: number): number => Math.floor((lat + 90) / BAND_DEG);

/** Longitudes are stored in [-180, 180): 180 and -180 are the same meridian. */
export const normalLon = (lon: number): number => (lon >= 180 ? lon - 360 : lon);

/** What a search reads from the index: a band range and one or two longitude ranges. */
export interface CapCover {
  bandLo: number;
  bandHi: number;
  /** Inclusive [from, to] ranges in [-180, 180]; the whole circle when the cap holds a pole. */
  lonRanges: Array<[number, number]>;
}

/**
 * The latitude/longitude box around a spherical cap (centre, radius), split at the antimeridian.
 * The longitude half-width asin(sin d / cos lat) is exact for a cap that holds no pole; a cap
 * that reaches a pole spans every longitude. A small margin keeps rounding on the safe side.
 */
export function coverCap(lat: number, lon: number, radiusM: number): CapCover {
  const d = (radiusM / EARTH_RADIUS_M) * (1 + 1e-9) + 1e-12;
  const dDeg = deg(d);
  const latLo = lat - dDeg;
  const latHi = lat + dDeg;
  const bandLo = bandOf(Math.max(-90, latLo));
  const bandHi = bandOf(Math.min(90, latHi));
  const whole: Array<[number, number]> = [[-180, 180]];
  if (latHi >= 90 || latLo <= -90 || d >= Math.PI / 2) return { bandLo, bandHi, lonRanges: whole };
  const s = Math.sin(d) / Math.cos(rad(lat));
  if (s >= 1) return { bandLo, bandHi, lonRanges: whole };
  const half = deg(Math.asin(s)) + 1e-9;
  const from = lon - half;
  const to = lon + half;
  if (to - from >= 360) return { bandLo, bandHi, lonRanges: whole };
  if (from < -180)
    return {
      bandLo,
      bandHi,
      lonRanges: [
        [from + 360, 180],
        [-180, to],
      ],
    };
  if (to > 180)
    return {
      bandLo,
      bandHi,
      lonRanges: [
        [from, 180],
        [-180, to - 360],
      ],
    };
  return { bandLo, bandHi, lonRanges: [[from, to]] };
}

/** Slack on every prefilter angle (10 m): the dot product of unit vectors resolves ~0.2 m. */
const PREFILTER_MARGIN_RAD = 10 / EARTH_RADIUS_M;

/** The point on the unit sphere: distance tests become one dot product (no trigonometry in SQL). */
export function unitVector(lat: number, lon: number): [number, number, number] {
  const la = rad(lat);
  const lo = rad(lon);
  return [Math.cos(la) * Math.cos(lo), Math.cos(la) * Math.sin(lo), Math.sin(la)];
}

/**
 * The least dot product of two unit vectors whose great-circle distance is within `radiusM`
 * (plus the margin); -2 when the reach spans the sphere, so every point passes.
 */
export function reachCos(radiusM: number): number {
  const angle = radiusM / EARTH_RADIUS_M + PREFILTER_MARGIN_RAD;
  return angle >= Math.PI ? -2 : Math.cos(angle);
}

/** Reach classes of the nearby index: class k holds points whose radius is at most 1 km * 2^k. */
export const REACH_CLASS_BASE_M = 1000;
export const MAX_REACH_CLASS = 15;
export const classReachM = (k: number): number => REACH_CLASS_BASE_M * 2 ** k;

/** The smallest class whose reach covers `radiusM` (2^15 km is more than half the Earth round). */
export function reachClassOf(radiusM: number): number {
  let k = Math.max(0, Math.ceil(Math.log2(radiusM / REACH_CLASS_BASE_M)));
  while (k < MAX_REACH_CLASS && classReachM(k) < radiusM) k++;
  return Math.min(k, MAX_REACH_CLASS);
}
