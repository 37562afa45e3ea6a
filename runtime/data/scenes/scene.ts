/**
 * Random scene layouts: a pinhole camera above a floor, a back wall with sky
 * above it, a directional light, and 3 to 6 primitives resting on the floor.
 * Everything is drawn from one {@link Rng}, so a scene is a pure function of
 * its generator's state.
 */

import type { Rng } from "../../random.js";
import { BOX, CONE, CYLINDER, SPHERE, TORUS, type Shape } from "./primitives.js";
import { hsvToRgb, randomTexture, type Texture } from "./textures.js";

/** One primitive placed in the world. */
export interface SceneObject {
  shape: Shape;
  /** Instance id, unique in the scene (>= 3; 0 sky, 1 floor, 2 wall). */
  id: number;
  /** World position of the local origin. */
  cx: number;
  cy: number;
  cz: number;
  /** Row-major world-to-local rotation: local = m (p - c). Its transpose maps local normals to world. */
  m: Float64Array;
  /** Size [a, b, c]: sphere (a = radius); box (half extents); cylinder, cone (a radius, b half height); torus (a major, b minor radius). */
  size: Float64Array;
  /** Radius of a bounding sphere about the centre. */
  bound: number;
  texture: Texture;
}

/** Everything needed to render one image. World: y up, floor y = 0, camera looks along +z. */
export interface Scene {
  cameraHeight: number;
  /** Downward tilt of the camera, radians. */
  pitch: number;
  /** tan(half field of view); the image is square. */
  tanHalfFov: number;
  /** Unit direction towards the light. */
  lx: number;
  ly: number;
  lz: number;
  ambient: number;
  /** RGB tint of the direct light. */
  lightColor: Float64Array;
  /** Wall: unit normal (towards the camera, horizontal), a point (0, 0, wallZ), and height. */
  wallNx: number;
  wallNz: number;
  wallZ: number;
  wallHeight: number;
  floorTexture: Texture;
  wallTexture: Texture;
  /** Sky colour at the horizon (0..2) and overhead (3..5). */
  sky: Float64Array;
  objects: SceneObject[];
}

/** Instance ids of the non-object segments. */
export const SKY_ID = 0;
export const FLOOR_ID = 1;
export const WALL_ID = 2;

/** Horizontal field of view (= vertical; the image is square). */
export const FIELD_OF_VIEW_DEGREES = 60;

function rotation(yaw: number, tilt: number): Float64Array {
  // Local-to-world R = Ry(yaw) * Rx(tilt); return its transpose (world-to-local).
  const cy = Math.cos(yaw);
  const sy = Math.sin(yaw);
  const ct = Math.cos(tilt);
  const st = Math.sin(tilt);
  // Ry = [[cy,0,sy],[0,1,0],[-sy,0,cy]]; Rx = [[1,0,0],[0,ct,-st],[0,st,ct]]
  const r = [cy, sy * st, sy * ct, 0, ct, -st, -sy, cy * st, cy * ct];
  return Float64Array.from([r[0]!, r[3]!, r[6]!, r[1]!, r[4]!, r[7]!, r[2]!, r[5]!, r[8]!]);
}

function dims(a: number, b: number, c: number): Float64Array {
  return Float64Array.from([a, b, c]);
}

interface Footprint {
  x: number;
  z: number;
  r: number;
}

/** Draws a primitive's size, orientation and resting height. */
function randomShape(rng: Rng, shape: Shape): Omit<SceneObject, "id" | "cx" | "cz" | "texture"> {
  const s = rng.range(0.35, 0.8);
  const yaw = rng.range(0, 2 * Math.PI);
  switch (shape) {
    case SPHERE:
      return { shape, cy: s, m: rotation(yaw, 0), size: dims(s, 0, 0), bound: s };
    case BOX: {
      const a = s * rng.range(0.6, 1.2);
      const b = s * rng.range(0.6, 1.2);
      const c = s * rng.range(0.6, 1.2);
      return { shape, cy: b, m: rotation(yaw, 0), size: dims(a, b, c), bound: Math.hypot(a, b, c) };
    }
    case CYLINDER: {
      const r = s * rng.range(0.5, 0.9);
      const h = s * rng.range(0.6, 1.4);
      const lying = rng.uniform() < 0.35;
      return {
        shape,
        cy: lying ? r : h,
        m: rotation(yaw, lying ? Math.PI / 2 : 0),
        size: dims(r, h, 0),
        bound: Math.hypot(r, h),
      };
    }
    case CONE: {
      const r = s * rng.range(0.6, 1.0);
      const h = s * rng.range(0.7, 1.4);
      return { shape, cy: h, m: rotation(yaw, 0), size: dims(r, h, 0), bound: Math.hypot(r, h) };
    }
    default: {
      const R = s * rng.range(0.6, 0.9);
      const r = R * rng.range(0.25, 0.45);
      const standing = rng.uniform() < 0.5;
      return {
        shape: TORUS,
        cy: standing ? R + r : r,
        m: rotation(yaw, standing ? Math.PI / 2 : 0),
        size: dims(R, r, 0),
        bound: R + r,
      };
    }
  }
}

/** Draws a complete random scene. */
export function sampleScene(rng: Rng): Scene {
  const cameraHeight = rng.range(1.2, 2.0);
  const pitch = (rng.range(10, 28) * Math.PI) / 180;
  const tanHalfFov = Math.tan(((FIELD_OF_VIEW_DEGREES / 2) * Math.PI) / 180);
  const elevation = (rng.range(20, 70) * Math.PI) / 180;
  const azimuth = (rng.range(-80, 80) * Math.PI) / 180;
  // The light comes from the camera's side of the wall, so the wall never shadows the floor.
  const lx = Math.cos(elevation) * Math.sin(azimuth);
  const ly = Math.sin(elevation);
  const lz = -Math.cos(elevation) * Math.cos(azimuth);
  const ambient = rng.range(0.15, 0.35);
  const lightColor = Float64Array.from([rng.range(0.9, 1.1), rng.range(0.9, 1.1), rng.range(0.9, 1.1)]);
  const wallYaw = rng.range(-0.4, 0.4);
  const wallZ = rng.range(7, 12);
  const wallHeight = cameraHeight + rng.range(0.4, 2.5);
  const floorTexture = randomTexture(rng, rng.range(0.8, 2.5));
  const wallTexture = randomTexture(rng, rng.range(0.8, 2.5));
  const sky = new Float64Array(6);
  const skyHue = rng.uniform();
  const skySat = rng.range(0.05, 0.5);
  // A sky of any hue, lighter at the horizon.
  hsvToRgb(skyHue, skySat * 0.5, rng.range(0.75, 1), sky, 0);
  hsvToRgb(skyHue, skySat, rng.range(0.45, 0.85), sky, 3);

  const wallNx = -Math.sin(wallYaw);
  const wallNz = -Math.cos(wallYaw);
  const count = 3 + rng.int(4);
  const objects: SceneObject[] = [];
  const placed: Footprint[] = [];
  for (let k = 0; k < count; k++) {
    const shape = (1 + rng.int(5)) as Shape;
    const body = randomShape(rng, shape);
    const texture = randomTexture(rng, body.bound);
    for (let attempt = 0; attempt < 30; attempt++) {
      const z = rng.range(2.2, Math.min(wallZ - 1.2, 8.5));
      const x = rng.range(-0.85, 0.85) * z * tanHalfFov;
      // In front of the wall, clear of it by the bounding radius.
      const inFront = (x - 0) * wallNx + (z - wallZ) * wallNz;
      if (inFront < body.bound + 0.1) continue;
      if (placed.some((f) => Math.hypot(f.x - x, f.z - z) < f.r + body.bound + 0.05)) continue;
      placed.push({ x, z, r: body.bound });
      // One literal with a fixed key order: every object has the same hidden class.
      objects.push({
        shape: body.shape,
        id: 3 + objects.length,
        cx: x,
        cy: body.cy,
        cz: z,
        m: body.m,
        size: body.size,
        bound: body.bound,
        texture,
      });
      break;
    }
  }
  return {
    cameraHeight,
    pitch,
    tanHalfFov,
    lx,
    ly,
    lz,
    ambient,
    lightColor,
    wallNx,
    wallNz,
    wallZ,
    wallHeight,
    floorTexture,
    wallTexture,
    sky,
    objects,
  };
}
