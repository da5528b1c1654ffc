// The words the app shows on first run: how to get a speech model, and why it asks for permissions.
// Plain data with no imports, so the renderer can render it, the main process can reuse the
// permission texts in dialogs, and the installer config copies the macOS usage descriptions
// (build/electron-builder.config.ts) from the same strings. docs/packaging.md tells the same story.

export type Platform = 'darwin' | 'win32' | 'linux';

export interface GuideStep {
  /** One short imperative sentence. */
  text: string;
  /** A command the user types in a terminal, shown copyable; absent when the step is a click. */
  command?: string;
}

export interface ModelOption {
  id: 'choose-existing' | 'pack-from-checkpoint';
  title: string;
  summary: string;
  steps: GuideStep[];
}

export interface PermissionExplanation {
  id: 'microphone' | 'accessibility' | 'input-monitoring' | 'linux-input';
  title: string;
  /** Why the app needs it, in the user's terms. */
  why: string;
  /** Where to grant it when the system did not ask, or the user declined. */
  howToGrant: string;
}

export interface FirstRunGuide {
  title: string;
  intro: string;
  /** What a model is made of on disk, so the file picker makes sense. */
  modelFiles: string;
  options: ModelOption[];
  /** Shown after a model is chosen; the packed model's options in one line each. */
  quantChoices: { quant: '4w' | '8w' | 'none'; advice: string }[];
  permissions: Record<Platform, PermissionExplanation[]>;
  privacy: string;
}

export const MICROPHONE_USAGE =
  'Voxtral Dictate listens only while you hold or toggle the dictation hotkey, and transcribes on this computer. Audio never leaves your device.';

export const ACCESSIBILITY_USAGE =
  'Voxtral Dictate types the transcribed text into the app you are using by sending a paste (⌘V) or keystrokes, which macOS allows only with Accessibility permission.';

export const APPLE_EVENTS_USAGE =
  'Voxtral Dictate asks System Events to paste the transcribed text into the app you are dictating into.';

const CHECKPOINT = 'mistralai/Voxtral-Mini-4B-Realtime-2602';

export const firstRun: FirstRunGuide = {
  title: 'Choose your speech model',
  intro:
    'Voxtral Dictate transcribes with Mistral’s Voxtral Mini 4B Realtime model, entirely on this computer. ' +
    'The model is several gigabytes and is not part of the installer, so pick one before your first dictation. ' +
    'You only do this once; the app remembers your choice.',
  modelFiles:
    'A packed model is a folder with model.pte (the program and its settings), model.ptd (the weights) and ' +
    'tekken.json (the tokenizer), as the packer writes them. Keep them together and choose the .pte file; ' +
    'the files beside it are found automatically.',
  options: [
    {
      id: 'choose-existing',
      title: 'I already have a packed model',
      summary: 'Use a model.pte / model.ptd pair you packed before or got from a colleague.',
      steps: [
        { text: 'Click “Choose model…”.' },
        { text: 'Select the model.pte file (model.ptd and tekken.json stay in the same folder).' },
        { text: 'Check the summary the app shows (size, quantization, backend), then hold the hotkey and speak.' },
      ],
    },
    {
      id: 'pack-from-checkpoint',
      title: 'Pack one from Mistral’s checkpoint',
      summary: `Convert the official ${CHECKPOINT} download into a packed model, on this computer.`,
      steps: [
        {
          text: `Download ${CHECKPOINT} from Hugging Face into a folder (params.json, consolidated.safetensors, tekken.json; about 9 GB).`,
        },
        {
          text:
            'Pack it in a terminal (4-bit weights: the smallest and fastest; about 3 GB on disk). ' +
            'Run it in a Voxtral Dictate source folder after `npm install`; with the Linux package installed, ' +
            '`voxtral pack …` (without npx) works from any folder.',
          command: 'npx voxtral pack --checkpoint DIR --out DIR --quant 4w',
        },
        { text: 'Come back here, click “Choose model…” and select model.pte in the output folder.' },
      ],
    },
  ],
  quantChoices: [
    { quant: '4w', advice: '4-bit weights: smallest and fastest; recommended for CPU.' },
    { quant: '8w', advice: '8-bit weights: closer to the original accuracy, about twice the size of 4w.' },
    { quant: 'none', advice: 'Unquantized: the reference quality; needs a GPU with plenty of memory.' },
  ],
  permissions: {
    darwin: [
      {
        id: 'microphone',
        title: 'Microphone',
        why: MICROPHONE_USAGE,
        howToGrant: 'System Settings → Privacy & Security → Microphone → turn on Voxtral Dictate.',
      },
      {
        id: 'accessibility',
        title: 'Accessibility (to type into other apps)',
        why: ACCESSIBILITY_USAGE,
        howToGrant:
          'System Settings → Privacy & Security → Accessibility → add or turn on Voxtral Dictate, then restart the app.',
      },
      {
        id: 'input-monitoring',
        title: 'Input Monitoring (hold-to-talk hotkey)',
        why: 'Holding the hotkey needs to see when the key is released, even while another app is in front.',
        howToGrant: 'System Settings → Privacy & Security → Input Monitoring → turn on Voxtral Dictate.',
      },
    ],
    win32: [
      {
        id: 'microphone',
        title: 'Microphone',
        why: MICROPHONE_USAGE,
        howToGrant: 'Settings → Privacy & security → Microphone → allow desktop apps to access your microphone.',
      },
    ],
    linux: [
      {
        id: 'microphone',
        title: 'Microphone',
        why: MICROPHONE_USAGE,
        howToGrant: 'Pick the input device in the app’s settings; PipeWire or PulseAudio must expose it.',
      },
      {
        id: 'linux-input',
        title: 'Typing into other apps',
        why: 'On X11 the app pastes and types directly. On Wayland, global hotkeys and synthetic input depend on the compositor.',
        howToGrant:
          'On Wayland, bind a compositor shortcut to the app’s toggle, or log in to an X11 session for hold-to-talk and direct typing.',
      },
    ],
  },
  privacy: 'Nothing is uploaded: audio, text and history stay on this computer. The app needs no network after installation.',
};
