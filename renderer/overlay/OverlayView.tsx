// The overlay pill: state dot, level meter, and the end of the live text.

import { PHASE_LABEL, type OverlayModel } from './overlay-model';

export function OverlayView({ model }: { model: OverlayModel }) {
  if (model.phase === 'hidden') return null;
  return (
    <div className={`overlay overlay--${model.phase}${model.speaking ? ' overlay--speaking' : ''}`} role="status" aria-live="polite">
      <span className="overlay__dot" aria-hidden="true" title={model.speaking ? 'Speech heard' : undefined} />
      <span className="overlay__label">{PHASE_LABEL[model.phase]}</span>
      <span className="overlay__meter" aria-label="Microphone level" role="meter" aria-valuemin={0} aria-valuemax={1} aria-valuenow={model.level}>
        <span className="overlay__meter-fill" style={{ transform: `scaleX(${model.level})` }} />
      </span>
      {model.phase === 'error' ? <span className="overlay__text">{model.message}</span>
        : model.notice ? <span className="overlay__text overlay__text--notice">{model.notice}</span>
          : <span className="overlay__text">{model.text}</span>}
      {model.escCancels && (model.phase === 'loading' || model.phase === 'listening') && (
        <kbd className="overlay__hint" aria-label="Escape cancels" title="Escape cancels">Esc</kbd>
      )}
    </div>
  );
}
