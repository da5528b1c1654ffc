/**
 * A transcription stream that goes on after the model's end-of-stream. The engine follows the
 * Voxtral Realtime protocol (spec §6: greedy, stop at EOS), so a session that samples EOS ignores
 * all later audio. A dictation must not lose what is said after a pause, so when a session samples
 * EOS before the audio has ended, the stream continues on a NEW session of the same model (a fresh
 * prompt, per the protocol) fed from the first sample the EOS step had not seen, then all later
 * audio. EOS whose step saw the end of the audio (the right padding of the final flush) is the
 * normal end. The ids of all segments are delivered in order, each segment's ending with its EOS.
 *
 * Sample accounting (spec §6): a segment's audio is left-padded with n_left_pad_tokens × 1280
 * zeros; the id sampled at decoder position q (the prefill's at prompt length − 1 = 38, then one
 * per step) saw padded samples [0, 1280 (q + 1) + 40), so the next segment starts at the segment's
 * own sample 1280 (q + 1) + 40 − 40960 (≥ 9000: the prefill's audio). Nothing is replayed twice.
 *
 * Loop guard: after a segment with text, the next starts once at least one step (1280 samples)
 * of unused audio is there. After a segment that ended without any text (EOS on silence, or on a
 * noise) the model has judged that background empty, so the next starts only at audio clearly
 * louder than it: the first 1280-sample block whose RMS is over 4× (+12 dB) the median block level
 * the empty segment heard (at least −60 dBFS), from 0.5 s before that block (never before the
 * EOS point). So a model that ends at once on silence does not spin up a session per prefill (every
 * 0.6 s), and digital silence never opens one. Levels are on blocks aligned to the stream and the
 * final flush also looks at the last partial block, so whether and where a segment starts depends
 * on the audio alone, never on how it was chunked or paced (live dictation, a file job and the CLI
 * give the same ids).
 */
import { EngineError, toEngineError, type EngineModel, type EngineSession, type FlushResult, type ModelInfo } from '../engine.js';
import { AudioHistory } from './audio-history.js';
import { BlockLevels } from './block-levels.js';

/** Where a batch of ids comes from. */
export interface SegmentPlace {
  /** 0 for the first session, 1 for the one after the first early EOS, … */
  segment: number;
  /** Decoder position of the first id, in its segment's session. */
  firstPosition: number;
  /** Stream samples (from the first pushed) the step of the batch's last id had seen, right padding included. */
  samplesSeen: number;
}

export interface ContinuousSessionOptions {
  onTokens(ids: number[], place: SegmentPlace): void;
  onError(err: EngineError): void;
  /**
   * Most audio kept for a replay (default 10 min). Only audio the engine has not consumed yet is
   * kept, so this binds only when the engine falls that far behind; the oldest is dropped then.
   */
  maxHistorySamples?: number;
}

export interface SegmentSummary {
  /** Stream sample (16 kHz, from the first pushed) at which the segment's session began. */
  startSample: number;
  /** First stream sample its EOS step had not seen (where a next segment would begin); null: no EOS. */
  endSample: number | null;
  /** Index in `tokens` of its first id, and how many ids it gave. */
  firstToken: number;
  tokenCount: number;
  steps: number;
}

export interface ContinuousFlushResult extends FlushResult {
  /** Every id of every segment, in order (each early-ended segment's ids end with EOS). */
  tokens: number[];
  segments: SegmentSummary[];
}

/** The protocol numbers the accounting needs, from the model's configuration. */
export interface StreamGeometry {
  stepSamples: number;
  leftPadSamples: number;
  lookAheadSamples: number;
  /** Decoder position of the prefill's id (prompt length − 1). */
  firstPosition: number;
  eosId: number;
  /** Ids that carry no text (BOS, EOS, STREAMING_PAD, STREAMING_WORD). */
  silentIds: ReadonlySet<number>;
}

export function streamGeometry(info: ModelInfo): StreamGeometry {
  const stepSamples = info.step_samples;
  const lookAhead = typeof info.stft_right_lookahead === 'number' ? info.stft_right_lookahead : 40;
  return {
    stepSamples,
    leftPadSamples: info.n_left_pad_tokens * stepSamples,
    lookAheadSamples: lookAhead,
    firstPosition: info.n_left_pad_tokens + info.delay_tokens, // prompt = BOS + (left pad + delay) pads
    eosId: info.eos_id,
    silentIds: new Set([info.bos_id, info.eos_id, info.streaming_pad_id, info.streaming_word_id]),
  };
}

/** Samples of a segment's own audio (from its first) seen by the step that sampled position `q`. */
export function samplesSeenThrough(g: StreamGeometry, q: number): number {
  return g.stepSamples * (q + 1) + g.lookAheadSamples - g.leftPadSamples;
}

const DEFAULT_MAX_HISTORY_SAMPLES = 10 * 60 * 16_000;
/** After a segment without text, only blocks louder than this many times its background count. */
const GATE_FACTOR = 4;
/** The least such a gate can be: −60 dBFS RMS (digital silence and near-silence never open one). */
const MIN_GATE = 0.001;
/** A segment opened on a loud block starts this much earlier (the onset of the voice). */
const LOOKBACK_SAMPLES = 8000;

interface Segment {
  index: number;
  start: number;
  session: EngineSession;
  ids: number[];
  nextPosition: number;
  /** First stream sample not yet seen by any step of this segment. */
  seenEnd: number;
  hasText: boolean;
  /** Set at EOS: the first stream sample the EOS step had not seen. */
  end: number | null;
  flushing: Promise<FlushResult> | null;
  result: FlushResult | null;
  closed: boolean;
}

export class ContinuousSession {
  private readonly geometry: StreamGeometry;
  private readonly history: AudioHistory;
  private readonly levels: BlockLevels;
  private readonly segments: Segment[] = [];
  private current: Segment | null = null;
  /** Where the next segment begins (the last EOS's first unseen sample). */
  private resumeAt = 0;
  /** After a segment without text: the block level the next must exceed; null: just wait a step. */
  private gate: number | null = null;
  /** While gated: the first block not yet found quiet. */
  private scanBlock = 0;
  private flushRequested = false;
  private closed = false;
  private failure: EngineError | null = null;

  /** Opens the first engine session at once (a failure throws, as createSession does). */
  constructor(
    private readonly model: EngineModel,
    private readonly options: ContinuousSessionOptions,
  ) {
    this.geometry = streamGeometry(model.info);
    this.history = new AudioHistory(options.maxHistorySamples ?? DEFAULT_MAX_HISTORY_SAMPLES);
    this.levels = new BlockLevels(this.geometry.stepSamples);
    this.open(0);
  }

  /** Engine sessions opened so far (1 + continuations). */
  get segmentCount(): number {
    return this.segments.length;
  }

  /** Samples held for a possible replay now. */
  get bufferedSamples(): number {
    return this.history.size;
  }

  /** 16 kHz mono. The array is kept (not copied) until the engine has used it: do not write into it. */
  push(pcm: Float32Array): void {
    if (this.closed) throw new EngineError('STATE', 'session is closed');
    if (this.flushRequested) throw new EngineError('STATE', 'audio pushed after flush(); create a new session');
    if (!(pcm instanceof Float32Array)) throw new EngineError('INVALID_ARGUMENT', 'push(pcm) needs a Float32Array');
    this.history.append(pcm);
    this.levels.add(pcm);
    if (this.current) this.current.session.push(pcm);
    else this.maybeContinue();
    this.trim();
  }

  /** Right-pads and drains the stream, continuing past early EOS; resolves with every segment's ids. */
  flush(): Promise<ContinuousFlushResult> {
    if (this.closed) return Promise.reject(new EngineError('STATE', 'session is closed'));
    if (this.flushRequested) return Promise.reject(new EngineError('STATE', 'flush() was already called'));
    this.flushRequested = true;
    return this.drain();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.current = null;
    let first: unknown = null;
    for (const seg of this.segments) {
      try {
        this.closeSegment(seg);
      } catch (err) {
        first ??= err;
      }
    }
    if (first) throw toEngineError(first);
  }

  private async drain(): Promise<ContinuousFlushResult> {
    this.maybeContinue(); // audio left after an EOS that was still waiting for more
    while (this.current && !this.failure) {
      const seg = this.current;
      const result = await (seg.flushing ??= seg.session.flush());
      if (this.closed) throw new EngineError('STATE', 'session closed before flush completed');
      seg.result = result;
      // Ids the flush returned beyond those streamed (normally none) count as streamed ones.
      const missed = result.tokens.slice(seg.ids.length);
      if (missed.length) this.onSegmentTokens(seg, missed, seg.nextPosition);
      // Still current: it ran to the end. Otherwise an early EOS ended it and opened the next (or
      // less than a step of audio was left, and nothing is open).
      if (this.current === seg) this.current = null;
    }
    if (this.failure) throw this.failure;
    await Promise.all(this.segments.map((s) => s.flushing?.then((r) => { s.result = r; }, () => undefined)));
    return this.summary();
  }

  private summary(): ContinuousFlushResult {
    const tokens: number[] = [];
    const segments: SegmentSummary[] = [];
    let steps = 0;
    let timedSteps = 0;
    let timedMs = 0;
    let prefillMs = 0;
    let reusedPrefixTokens = 0;
    for (const seg of this.segments) {
      const segSteps = seg.result?.steps ?? seg.ids.length;
      segments.push({ startSample: seg.start, endSample: seg.end, firstToken: tokens.length, tokenCount: seg.ids.length, steps: segSteps });
      for (const id of seg.ids) tokens.push(id);
      steps += segSteps;
      // msPerStep leaves out each session's prefill, so weight each by its other steps.
      if (seg.result && seg.result.steps > 1) {
        timedSteps += seg.result.steps - 1;
        timedMs += seg.result.msPerStep * (seg.result.steps - 1);
      }
      prefillMs += seg.result?.prefillMs ?? 0;
      reusedPrefixTokens += seg.result?.reusedPrefixTokens ?? 0;
    }
    const msPerStep = timedSteps > 0 ? timedMs / timedSteps : (this.segments[0]?.result?.msPerStep ?? 0);
    return { tokens, steps, msPerStep, prefillMs, reusedPrefixTokens, segments };
  }

  private open(start: number): Segment {
    const seg: Segment = {
      index: this.segments.length, start, session: null!, ids: [], nextPosition: this.geometry.firstPosition,
      seenEnd: start, hasText: false, end: null, flushing: null, result: null, closed: false,
    };
    seg.session = this.model.createSession({
      onTokens: (ids, first) => this.onSegmentTokens(seg, ids, first),
      onError: (err) => {
        if (!this.closed && !seg.closed) this.options.onError(err);
      },
    });
    this.segments.push(seg);
    this.current = seg;
    return seg;
  }

  private onSegmentTokens(seg: Segment, ids: number[], first: number): void {
    if (this.closed || seg.end !== null || ids.length === 0) return;
    const g = this.geometry;
    const eos = ids.indexOf(g.eosId);
    const mine = eos >= 0 ? ids.slice(0, eos + 1) : ids;
    for (const id of mine) {
      seg.ids.push(id);
      if (!g.silentIds.has(id)) seg.hasText = true;
    }
    const last = first + mine.length - 1;
    seg.nextPosition = last + 1;
    seg.seenEnd = Math.max(seg.seenEnd, seg.start + samplesSeenThrough(g, last));
    // Bookkeeping first: a throwing listener must not leave the stream without its next segment.
    if (eos >= 0) this.endSegment(seg, seg.seenEnd);
    else this.trim();
    this.options.onTokens(mine, { segment: seg.index, firstPosition: first, samplesSeen: seg.seenEnd });
  }

  private endSegment(seg: Segment, end: number): void {
    seg.end = Math.max(end, seg.start + 1); // always forward: the same samples are never fed twice
    this.resumeAt = Math.max(this.resumeAt, seg.end);
    this.gate = seg.hasText ? null : this.gateAfter(seg);
    this.scanBlock = 0;
    if (this.current === seg) this.current = null;
    // Its statistics (flush of an ended session returns at once), then its resources.
    seg.flushing ??= seg.session.flush();
    seg.flushing.then(
      (r) => { seg.result = r; this.closeSegmentQuietly(seg); },
      () => this.closeSegmentQuietly(seg),
    );
    this.maybeContinue();
    this.trim();
  }

  /** Opens the next segment if an EOS ended the last and the audio after it calls for one. */
  private maybeContinue(): void {
    if (this.current || this.closed || this.failure || this.segments.length === 0) return;
    const step = this.geometry.stepSamples;
    const end = this.history.end;
    if (this.gate === null) {
      if (end - this.resumeAt >= step) this.openAt(this.resumeAt);
      return;
    }
    // Only the final flush judges the last, partial block (so chunking never changes a decision).
    const last = this.flushRequested ? this.levels.complete : this.levels.complete - 1;
    for (let b = Math.max(this.scanBlock, Math.floor(this.resumeAt / step)); b <= last && b * step < end; b++) {
      if (this.levels.level(b) > this.gate) {
        this.openAt(Math.max(this.resumeAt, b * step - LOOKBACK_SAMPLES));
        return;
      }
      if (b < this.levels.complete) this.scanBlock = b + 1;
    }
  }

  /** The gate after a segment without text: +12 dB over the median level of the audio it heard. */
  private gateAfter(seg: Segment): number {
    const step = this.geometry.stepSamples;
    const heardEnd = Math.min(seg.end ?? seg.seenEnd, this.history.end);
    const background = this.levels.median(Math.floor(seg.start / step), Math.ceil(heardEnd / step)) ?? 0;
    return Math.max(MIN_GATE, GATE_FACTOR * background);
  }

  private openAt(start: number): void {
    try {
      const seg = this.open(start);
      for (const chunk of this.history.chunksFrom(start)) seg.session.push(chunk);
    } catch (err) {
      this.failure = toEngineError(err);
      this.options.onError(this.failure);
    }
  }

  /** Drops audio no later segment can need: what the running one's steps have seen, or found quiet. */
  private trim(): void {
    const step = this.geometry.stepSamples;
    let keep = this.resumeAt;
    if (this.current) keep = this.current.seenEnd;
    else if (this.gate !== null) keep = Math.max(this.resumeAt, this.scanBlock * step - LOOKBACK_SAMPLES);
    this.history.dropBefore(keep);
    // Levels are kept from the running segment's start (its background, should it end empty).
    this.levels.dropBefore(Math.floor((this.current ? this.current.start : keep) / step));
  }

  private closeSegment(seg: Segment): void {
    if (seg.closed) return;
    seg.closed = true;
    seg.session.close();
  }

  private closeSegmentQuietly(seg: Segment): void {
    try {
      this.closeSegment(seg);
    } catch {
      // its ids are in; a failing close of an ended session changes nothing for the stream
    }
  }
}
