// Builds the minimal app with relative asset URLs, so it can be served under any path.
// EDGE_PKG_TARGET=bundler builds it against pkg/bundler/ (wasm-bindgen's bundler target, wasm as an
// ES module import) into dist-bundler/; the default is pkg/ (web target) into dist/.
import { defineConfig } from "vite";
import { fileURLToPath } from "node:url";

const bundler = process.env.EDGE_PKG_TARGET === "bundler";

export default defineConfig({
  root: fileURLToPath(new URL(".", import.meta.url)),
  base: "./",
  logLevel: "warn",
  resolve: bundler
    ? { alias: [{ find: /^\.\.\/\.\.\/\.\.\/pkg\/index\.js$/, replacement: fileURLToPath(new URL("../../../pkg/bundler/index.js", import.meta.url)) }] }
    : {},
  build: { outDir: bundler ? "dist-bundler" : "dist", emptyOutDir: true, target: "es2022" },
});
