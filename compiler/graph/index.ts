/** Pictures of the sharing tree: DOT, Mermaid and SVG. */
export { graphDot, dotString } from "./dot.js";
export { graphMermaid, mermaidText } from "./mermaid.js";
export { graphSvg, dotToSvg } from "./svg.js";
export {
  sharingTree,
  shareStyle,
  edgeWidth,
  type SharingTree,
  type TreeNode,
  type TreeEdge,
  type ShareStyle,
} from "./tree.js";
