// Live dictation and file transcription on the native engine (the DictationService of AppCore).
export { DictationController, type DictationControllerOptions } from './dictation-controller';
export { createNativeDictation } from './create-dictation';
export { FileTranscription, MAX_AUDIO_FILE_BYTES } from './file-transcription';
export { TranscriptBuilder, type TranscriptStep } from './transcript-builder';
