/** The project's own images for the corruption tests: generated scenes (RGB) and MultiMNIST (grey). */
import * as tf from "@tensorflow/tfjs";
import { getDataSource } from "../../../runtime/data/registry.js";

/** `n` test images of a data source as a batch. */
export async function dataImages(source: "scenes" | "multimnist", size: number, n: number): Promise<tf.Tensor4D> {
  const dataset = await getDataSource(source).load({ size, train: 1, val: 1, test: n, seed: 5 });
  const [h, w, c] = dataset.description.inputShape;
  return tf.tensor4d(dataset.splits.test.images.slice(0, n * h * w * c), [n, h, w, c]);
}
