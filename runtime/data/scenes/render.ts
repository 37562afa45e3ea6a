/**
 * The ray caster: one primary ray per pixel centre through a pinhole camera,
 * nearest hit among floor, wall and primitives (occlusion), Lambertian plus
 * ambient shading from a directional light with hard shadows cast by the
 * primitives, and the five targets read off the same hit.
 *
 * Camera space (for normals): x right, y up, z towards the viewer (the camera
 * looks along -z). Depth is the distance along the optical axis (z-depth),
 * in metres; sky pixels have depth 0 and normal (0, 0, 0).
 */

import { BOX, CONE, CYLINDER, SPHERE, hitBox, hitCone, hitCylinder, hitSphere, hitTorus } from "./primitives.js";
import { FLOOR_ID, SKY_ID, WALL_ID, type Scene, type SceneObject } from "./scene.js";
import { textureColor } from "./textures.js";

/** Views into the output arrays for one image of side `size`. */
export interface SceneBuffers {
  /** size*size*3, RGB in [0, 1]. */
  image: Float32Array;
  /** size*size class ids (0 background, 1..5 shapes). */
  segmentation: Int32Array;
  /** size*size z-depths, metres; 0 = sky (invalid). */
  depth: Float32Array;
  /** size*size*3 unit normals in camera space; (0, 0, 0) = sky. */
  normals: Float32Array;
  /** size*size, 1 where a 4-neighbour has another instance id, else 0. */
  edges: Float32Array;
  /** size*size instance ids (0 sky, 1 floor, 2 wall, 3.. objects). */
  ids: Int32Array;
}

const SHADOW_OFFSET = 1e-3;

/**
 * Scratch arrays of the ray caster (see primitives.ts for why arrays):
 * `ray` and `local` = [ox, oy, oz, dx, dy, dz, tMin, tMax], `hit` = [t, nx, ny, nz].
 */
interface Scratch {
  ray: Float64Array;
  local: Float64Array;
  hit: Float64Array;
}

/** Intersects the world ray in `s.ray` with `obj`; on a hit, `s.hit` holds t and the local normal. */
function intersectObject(obj: SceneObject, s: Scratch): boolean {
  const ray = s.ray;
  const dx = ray[3]!,
    dy = ray[4]!,
    dz = ray[5]!;
  const px = ray[0]! - obj.cx;
  const py = ray[1]! - obj.cy;
  const pz = ray[2]! - obj.cz;
  // Bounding-sphere rejection first: cheap, and most rays miss most objects.
  const b = px * dx + py * dy + pz * dz;
  const c = px * px + py * py + pz * pz - obj.bound * obj.bound;
  const disc = b * b - c;
  if (disc < 0) return false;
  const sq = Math.sqrt(disc);
  if (-b + sq <= ray[6]! || -b - sq >= ray[7]!) return false;
  const m = obj.m;
  const l = s.local;
  l[0] = m[0]! * px + m[1]! * py + m[2]! * pz;
  l[1] = m[3]! * px + m[4]! * py + m[5]! * pz;
  l[2] = m[6]! * px + m[7]! * py + m[8]! * pz;
  l[3] = m[0]! * dx + m[1]! * dy + m[2]! * dz;
  l[4] = m[3]! * dx + m[4]! * dy + m[5]! * dz;
  l[5] = m[6]! * dx + m[7]! * dy + m[8]! * dz;
  l[6] = ray[6]!;
  l[7] = ray[7]!;
  switch (obj.shape) {
    case SPHERE:
      return hitSphere(obj.size, l, s.hit);
    case BOX:
      return hitBox(obj.size, l, s.hit);
    case CYLINDER:
      return hitCylinder(obj.size, l, s.hit);
    case CONE:
      return hitCone(obj.size, l, s.hit);
    default:
      return hitTorus(obj.size, l, s.hit);
  }
}

/** True when a primitive blocks the ray in `s.ray` (set up as a shadow ray). */
function inShadow(objects: SceneObject[], s: Scratch): boolean {
  for (let k = 0; k < objects.length; k++) {
    if (intersectObject(objects[k]!, s)) return true;
  }
  return false;
}

/** Renders `scene` at `size` x `size` into `out`, then marks edges from the instance ids. */
export function renderScene(scene: Scene, size: number, out: SceneBuffers): void {
  const scratch: Scratch = { ray: new Float64Array(8), local: new Float64Array(8), hit: new Float64Array(4) };
  const ray = scratch.ray;
  const hit = scratch.hit;
  const albedo = new Float64Array(3);
  const point = new Float64Array(3);
  const cp = Math.cos(scene.pitch);
  const sp = Math.sin(scene.pitch);
  // Camera basis in world coordinates: forward F, up U, right R (R x U = -F: right-handed camera space).
  const fx = 0,
    fy = -sp,
    fz = cp;
  const ux = 0,
    uy = cp,
    uz = sp;
  const rx = -1,
    ry = 0,
    rz = 0;
  const ox = 0,
    oy = scene.cameraHeight,
    oz = 0;
  const { lx, ly, lz } = scene;
  const wallH = scene.wallHeight;
  const wnx = scene.wallNx;
  const wnz = scene.wallNz;
  const wallOffset = (0 - ox) * wnx + (scene.wallZ - oz) * wnz; // (W0 - o) . Nw
  const objects = scene.objects;
  const lc = scene.lightColor;
  const sky = scene.sky;

  for (let i = 0; i < size; i++) {
    const v = (1 - (2 * (i + 0.5)) / size) * scene.tanHalfFov;
    for (let j = 0; j < size; j++) {
      const u = ((2 * (j + 0.5)) / size - 1) * scene.tanHalfFov;
      let dx = fx + u * rx + v * ux;
      let dy = fy + u * ry + v * uy;
      let dz = fz + u * rz + v * uz;
      const inv = 1 / Math.sqrt(dx * dx + dy * dy + dz * dz);
      dx *= inv;
      dy *= inv;
      dz *= inv;

      let nearest = Infinity;
      let id = SKY_ID;
      let objIndex = -1;
      let wnxW = 0,
        wnyW = 0,
        wnzW = 0; // world normal of the hit
      if (dy < 0) {
        nearest = -oy / dy;
        id = FLOOR_ID;
        wnxW = 0;
        wnyW = 1;
        wnzW = 0;
      }
      const denom = dx * wnx + dz * wnz;
      if (denom < 0) {
        const t = wallOffset / denom;
        const y = oy + t * dy;
        if (t > 0 && t < nearest && y >= 0 && y <= wallH) {
          nearest = t;
          id = WALL_ID;
          wnxW = wnx;
          wnyW = 0;
          wnzW = wnz;
        }
      }
      ray[0] = ox;
      ray[1] = oy;
      ray[2] = oz;
      ray[3] = dx;
      ray[4] = dy;
      ray[5] = dz;
      ray[6] = 0;
      for (let k = 0; k < objects.length; k++) {
        const obj = objects[k]!;
        ray[7] = nearest;
        if (intersectObject(obj, scratch)) {
          nearest = hit[0]!;
          id = obj.id;
          objIndex = k;
          const m = obj.m; // world normal = m^T n_local
          const hx = hit[1]!,
            hy = hit[2]!,
            hz = hit[3]!;
          wnxW = m[0]! * hx + m[3]! * hy + m[6]! * hz;
          wnyW = m[1]! * hx + m[4]! * hy + m[7]! * hz;
          wnzW = m[2]! * hx + m[5]! * hy + m[8]! * hz;
        }
      }

      const p = i * size + j;
      out.ids[p] = id;
      if (id === SKY_ID) {
        const w = dy <= 0 ? 0 : Math.min(1, dy * 2.5);
        out.image[3 * p] = sky[0]! + (sky[3]! - sky[0]!) * w;
        out.image[3 * p + 1] = sky[1]! + (sky[4]! - sky[1]!) * w;
        out.image[3 * p + 2] = sky[2]! + (sky[5]! - sky[2]!) * w;
        out.segmentation[p] = 0;
        out.depth[p] = 0;
        out.normals[3 * p] = 0;
        out.normals[3 * p + 1] = 0;
        out.normals[3 * p + 2] = 0;
        continue;
      }
      // Renormalise against rounding in the local-to-world rotation.
      const nl = 1 / Math.sqrt(wnxW * wnxW + wnyW * wnyW + wnzW * wnzW);
      wnxW *= nl;
      wnyW *= nl;
      wnzW *= nl;
      const hx = ox + nearest * dx;
      const hy = oy + nearest * dy;
      const hz = oz + nearest * dz;
      if (objIndex >= 0) {
        const obj = objects[objIndex]!;
        const m = obj.m;
        const qx = hx - obj.cx,
          qy = hy - obj.cy,
          qz = hz - obj.cz;
        point[0] = m[0]! * qx + m[1]! * qy + m[2]! * qz;
        point[1] = m[3]! * qx + m[4]! * qy + m[5]! * qz;
        point[2] = m[6]! * qx + m[7]! * qy + m[8]! * qz;
        textureColor(obj.texture, point, albedo);
        out.segmentation[p] = obj.shape;
      } else if (id === FLOOR_ID) {
        point[0] = hx;
        point[1] = 0;
        point[2] = hz;
        textureColor(scene.floorTexture, point, albedo);
        out.segmentation[p] = 0;
      } else {
        // Wall coordinates: along the wall, and height.
        point[0] = hx * -wnz + hz * wnx;
        point[1] = hy;
        point[2] = 0;
        textureColor(scene.wallTexture, point, albedo);
        out.segmentation[p] = 0;
      }
      const lambert = wnxW * lx + wnyW * ly + wnzW * lz;
      let direct = 0;
      if (lambert > 0) {
        ray[0] = hx + SHADOW_OFFSET * wnxW;
        ray[1] = hy + SHADOW_OFFSET * wnyW;
        ray[2] = hz + SHADOW_OFFSET * wnzW;
        ray[3] = lx;
        ray[4] = ly;
        ray[5] = lz;
        ray[6] = 0;
        ray[7] = Infinity;
        direct = inShadow(objects, scratch) ? 0 : lambert;
      }
      const amb = scene.ambient;
      const dif = (1 - amb) * direct;
      out.image[3 * p] = Math.min(1, albedo[0]! * (amb + dif * lc[0]!));
      out.image[3 * p + 1] = Math.min(1, albedo[1]! * (amb + dif * lc[1]!));
      out.image[3 * p + 2] = Math.min(1, albedo[2]! * (amb + dif * lc[2]!));
      out.depth[p] = nearest * (dx * fx + dy * fy + dz * fz);
      out.normals[3 * p] = wnxW * rx + wnyW * ry + wnzW * rz;
      out.normals[3 * p + 1] = wnxW * ux + wnyW * uy + wnzW * uz;
      out.normals[3 * p + 2] = -(wnxW * fx + wnyW * fy + wnzW * fz);
    }
  }
  markEdges(out.ids, size, out.edges);
}

/** edges[p] = 1 when a 4-neighbour of pixel p has another id, else 0. */
export function markEdges(ids: Int32Array, size: number, edges: Float32Array): void {
  for (let i = 0; i < size; i++) {
    for (let j = 0; j < size; j++) {
      const p = i * size + j;
      const id = ids[p];
      const differs =
        (i > 0 && ids[p - size] !== id) ||
        (i < size - 1 && ids[p + size] !== id) ||
        (j > 0 && ids[p - 1] !== id) ||
        (j < size - 1 && ids[p + 1] !== id);
      edges[p] = differs ? 1 : 0;
    }
  }
}
