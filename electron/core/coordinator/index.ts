export { DictationCoordinator } from './coordinator';
export * from './types';
export { DictateAnywhere, dictationPortFrom, type DictateAnywhereOptions, type DictateAnywhereSettings } from './dictate-anywhere';
