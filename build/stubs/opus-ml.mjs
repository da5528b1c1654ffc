// Stands in for @wasm-audio-decoders/opus-ml (Opus with neural speech enhancement, ~8 MB), which
// ogg-opus-decoder imports only when asked for that enhancement: we never ask, so the bundles
// leave it out (build/bundle.mjs) rather than carry it.
const missing = () => {
  throw new Error('Opus speech enhancement is not included in this build');
};
export class OpusMLDecoder {
  constructor() { missing(); }
}
export class OpusMLDecoderWebWorker {
  constructor() { missing(); }
}
