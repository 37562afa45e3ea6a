/**
 * Ray intersection with the five scene primitives, in each primitive's local
 * frame (centred at the origin, axis along +y).
 *
 * For speed in V8 the functions pass no doubles through arguments or return
 * values (those get boxed): every function reads the shape's size from
 * `size` = [a, b, c], the ray from `ray` = [ox, oy, oz, dx, dy, dz, tMin, tMax]
 * (d of unit length), and on a hit with tMin < t < tMax writes
 * `hit` = [t, nx, ny, nz] (the local unit normal) and returns true.
 */

/** The primitive shapes; the number is the segmentation class. */
export const SPHERE = 1;
export const BOX = 2;
export const CYLINDER = 3;
export const CONE = 4;
export const TORUS = 5;
/** A primitive shape's class number. */
export type Shape = typeof SPHERE | typeof BOX | typeof CYLINDER | typeof CONE | typeof TORUS;

/** Sphere; size[0] = radius. */
export function hitSphere(size: Float64Array, ray: Float64Array, hit: Float64Array): boolean {
  const r = size[0]!;
  const ox = ray[0]!,
    oy = ray[1]!,
    oz = ray[2]!,
    dx = ray[3]!,
    dy = ray[4]!,
    dz = ray[5]!;
  const tMin = ray[6]!,
    tMax = ray[7]!;
  const b = ox * dx + oy * dy + oz * dz;
  const c = ox * ox + oy * oy + oz * oz - r * r;
  const disc = b * b - c;
  if (disc < 0) return false;
  const s = Math.sqrt(disc);
  let t = -b - s;
  if (t <= tMin) t = -b + s;
  if (t <= tMin || t >= tMax) return false;
  hit[0] = t;
  hit[1] = (ox + t * dx) / r;
  hit[2] = (oy + t * dy) / r;
  hit[3] = (oz + t * dz) / r;
  return true;
}

/** Box; size = half extents along x, y, z (slab method). */
export function hitBox(size: Float64Array, ray: Float64Array, hit: Float64Array): boolean {
  let tNear = -Infinity;
  let tFar = Infinity;
  let axisNear = 0;
  let signNear = 0;
  let axisFar = 0;
  let signFar = 0;
  for (let axis = 0; axis < 3; axis++) {
    const h = size[axis]!;
    const o = ray[axis]!;
    const d = ray[3 + axis]!;
    if (d !== 0) {
      const inv = 1 / d;
      let t1 = (-h - o) * inv;
      let t2 = (h - o) * inv;
      let s1 = -1;
      if (t1 > t2) {
        const tmp = t1;
        t1 = t2;
        t2 = tmp;
        s1 = 1;
      }
      if (t1 > tNear) {
        tNear = t1;
        axisNear = axis;
        signNear = s1;
      }
      if (t2 < tFar) {
        tFar = t2;
        axisFar = axis;
        signFar = -s1;
      }
    } else if (o < -h || o > h) return false;
  }
  if (tNear > tFar) return false;
  const tMin = ray[6]!,
    tMax = ray[7]!;
  let t = tNear;
  let axis = axisNear;
  let sign = signNear;
  if (t <= tMin) {
    t = tFar;
    axis = axisFar;
    sign = signFar;
  }
  if (t <= tMin || t >= tMax) return false;
  hit[0] = t;
  hit[1] = axis === 0 ? sign : 0;
  hit[2] = axis === 1 ? sign : 0;
  hit[3] = axis === 2 ? sign : 0;
  return true;
}

/** Capped cylinder; size[0] = radius, size[1] = half height (y from -h to h). */
export function hitCylinder(size: Float64Array, ray: Float64Array, hit: Float64Array): boolean {
  const r = size[0]!,
    h = size[1]!;
  const ox = ray[0]!,
    oy = ray[1]!,
    oz = ray[2]!,
    dx = ray[3]!,
    dy = ray[4]!,
    dz = ray[5]!;
  const tMin = ray[6]!;
  let best = ray[7]!;
  let found = false;
  const a = dx * dx + dz * dz;
  if (a > 1e-12) {
    const b = ox * dx + oz * dz;
    const c = ox * ox + oz * oz - r * r;
    const disc = b * b - a * c;
    if (disc >= 0) {
      const s = Math.sqrt(disc);
      for (let root = 0; root < 2; root++) {
        const t = (root === 0 ? -b - s : -b + s) / a;
        if (t > tMin && t < best) {
          const y = oy + t * dy;
          if (y >= -h && y <= h) {
            best = t;
            found = true;
            hit[1] = (ox + t * dx) / r;
            hit[2] = 0;
            hit[3] = (oz + t * dz) / r;
            break;
          }
        }
      }
    }
  }
  if (dy !== 0) {
    for (let side = 0; side < 2; side++) {
      const cap = side === 0 ? -h : h;
      const t = (cap - oy) / dy;
      if (t > tMin && t < best) {
        const x = ox + t * dx;
        const z = oz + t * dz;
        if (x * x + z * z <= r * r) {
          best = t;
          found = true;
          hit[1] = 0;
          hit[2] = side === 0 ? -1 : 1;
          hit[3] = 0;
        }
      }
    }
  }
  if (found) hit[0] = best;
  return found;
}

/** Cone; size[0] = base radius at y = -h, size[1] = h (apex at y = h); base capped. */
export function hitCone(size: Float64Array, ray: Float64Array, hit: Float64Array): boolean {
  const r = size[0]!,
    h = size[1]!;
  const ox = ray[0]!,
    oy = ray[1]!,
    oz = ray[2]!,
    dx = ray[3]!,
    dy = ray[4]!,
    dz = ray[5]!;
  const tMin = ray[6]!;
  // Side: x^2 + z^2 = k^2 (h - y)^2 with k = r / (2h), for -h <= y <= h.
  const k = r / (2 * h);
  const k2 = k * k;
  const A = h - oy;
  const qa = dx * dx + dz * dz - k2 * dy * dy;
  const qb = 2 * (ox * dx + oz * dz + k2 * A * dy);
  const qc = ox * ox + oz * oz - k2 * A * A;
  let best = ray[7]!;
  let found = false;
  let t0 = Infinity;
  let t1 = Infinity;
  if (Math.abs(qa) > 1e-12) {
    const disc = qb * qb - 4 * qa * qc;
    if (disc >= 0) {
      const s = Math.sqrt(disc);
      t0 = (-qb - s) / (2 * qa);
      t1 = (-qb + s) / (2 * qa);
    }
  } else if (Math.abs(qb) > 1e-12) {
    t0 = -qc / qb;
  }
  for (let root = 0; root < 2; root++) {
    const t = root === 0 ? t0 : t1;
    if (t > tMin && t < best) {
      const y = oy + t * dy;
      if (y >= -h && y <= h) {
        const x = ox + t * dx;
        const z = oz + t * dz;
        const ny = k2 * (h - y);
        const len = Math.sqrt(x * x + ny * ny + z * z);
        if (len > 0) {
          best = t;
          found = true;
          hit[1] = x / len;
          hit[2] = ny / len;
          hit[3] = z / len;
        }
      }
    }
  }
  if (dy !== 0) {
    const t = (-h - oy) / dy;
    if (t > tMin && t < best) {
      const x = ox + t * dx;
      const z = oz + t * dz;
      if (x * x + z * z <= r * r) {
        best = t;
        found = true;
        hit[1] = 0;
        hit[2] = -1;
        hit[3] = 0;
      }
    }
  }
  if (found) hit[0] = best;
  return found;
}

/** Signed distance to a torus of major radius `R`, minor radius `r`, axis y. */
export function torusDistance(R: number, r: number, x: number, y: number, z: number): number {
  const q = Math.sqrt(x * x + z * z) - R;
  return Math.sqrt(q * q + y * y) - r;
}

/**
 * Torus; size[0] = major radius R, size[1] = minor radius r, axis y. Sphere
 * tracing of its exact distance field inside its bounding sphere (the distance
 * never overestimates, so the march cannot step through the surface), then up
 * to three Newton steps on the distance along the ray to polish t (skipped for
 * grazing rays). Agrees with a brute-force march to 1e-4 (tested).
 */
export function hitTorus(size: Float64Array, ray: Float64Array, hit: Float64Array): boolean {
  const R = size[0]!,
    r = size[1]!;
  const ox = ray[0]!,
    oy = ray[1]!,
    oz = ray[2]!,
    dx = ray[3]!,
    dy = ray[4]!,
    dz = ray[5]!;
  const tMin = ray[6]!,
    tMax = ray[7]!;
  const bound = R + r;
  const b = ox * dx + oy * dy + oz * dz;
  const c = ox * ox + oy * oy + oz * oz - bound * bound;
  const disc = b * b - c;
  if (disc < 0) return false;
  const s = Math.sqrt(disc);
  let t = Math.max(-b - s, tMin);
  const tEnd = Math.min(-b + s, tMax);
  const eps = 1e-5 * bound;
  for (let step = 0; step < 160 && t < tEnd; step++) {
    let x = ox + t * dx;
    let y = oy + t * dy;
    let z = oz + t * dz;
    let rho = Math.sqrt(x * x + z * z);
    let q = rho - R;
    const d = Math.sqrt(q * q + y * y) - r;
    if (d < eps) {
      if (t <= tMin) return false; // started on the surface
      // Polish t with Newton steps on f(t) = distance(o + t d), f' = gradient . d,
      // unless the ray grazes the surface (f' near 0), where sphere tracing is as good.
      for (let k = 0; k < 3; k++) {
        const len = Math.sqrt(q * q + y * y);
        if (len < 1e-12 || rho < 1e-12) break;
        const gx = ((q / len) * x) / rho;
        const gy = y / len;
        const gz = ((q / len) * z) / rho;
        const slope = gx * dx + gy * dy + gz * dz;
        if (slope > -0.05) break;
        const f = len - r;
        t -= f / slope;
        x = ox + t * dx;
        y = oy + t * dy;
        z = oz + t * dz;
        rho = Math.sqrt(x * x + z * z);
        q = rho - R;
      }
      if (t <= tMin || t >= tMax) return false;
      const f = rho > 1e-12 ? 1 - R / rho : 0;
      const nx = x * f;
      const nz = z * f;
      const len = Math.sqrt(nx * nx + y * y + nz * nz);
      hit[0] = t;
      hit[1] = nx / len;
      hit[2] = y / len;
      hit[3] = nz / len;
      return true;
    }
    t += d;
  }
  return false;
}
