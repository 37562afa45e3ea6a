/**
 * The opening of a small four-task scenes model (16x16 input, 32 training scenes) that the
 * structural-learning tests build on: the model line, input, data and the four tasks. The
 * caller adds its backbone, sharing, structural_learning and train blocks and the closing brace.
 */
export function sceneTasksModel(name: string): string {
  return `model ${name} {
  input image: f32[16, 16, 3]
  data scenes(size: 16, train: 32, val: 16, test: 16, seed: 5)
  task seg: segmentation(classes: 6) { head: conv(6, 1)  loss: ce  metrics: [miou] }
  task depth: depth { head: conv(1, 1)  loss: rmse  metrics: [rmse] }
  task edge: edges { head: conv(1, 1)  loss: bce  metrics: [bce] }
  task ae: reconstruction { head: conv(3, 1) sigmoid  loss: mse  metrics: [mse] }`;
}
