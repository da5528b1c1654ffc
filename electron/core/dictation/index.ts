// Live dictation and file transcription on the native engine (the DictationService of AppCore).
export { DictationController, type DictationControllerOptions } from './dictation-controller';
export { createNativeDictation } from './create-dictation';
export { FileTranscription } from './file-transcription';
export { TranscriptBuilder, type TranscriptStep } from './transcript-builder';
