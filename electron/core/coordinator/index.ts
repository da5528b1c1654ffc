export { DictationCoordinator } from './coordinator';
export * from './types';
export { DictateAnywhere, dictationPortFrom, routeVoiceActivity, type DictateAnywhereOptions, type DictateAnywhereSettings } from './dictate-anywhere';
