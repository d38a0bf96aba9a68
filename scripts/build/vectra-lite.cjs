// Bundle-time stand-in for `vectra`: only the parts Keel uses (LocalIndex, codecs, file storage).
// vectra's package entry also loads its web fetcher, gRPC server, tokenizers and NLP model (≈10 MB
// bundled); its `exports` map forbids deep imports, so esbuild.mjs points `vectra` here instead.
module.exports = {
  ...require('../../node_modules/vectra/lib/LocalIndex.js'),
  ...require('../../node_modules/vectra/lib/codecs/index.js'),
  ...require('../../node_modules/vectra/lib/storage/index.js'),
};
