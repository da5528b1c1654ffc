// @vitest-environment happy-dom
// The microphone list in Settings follows the devices: plugged and unplugged inputs appear and go.
import { act, renderHook, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { useMicrophones } from '../../renderer/src/components/use-microphones';

class FakeMedia extends EventTarget {
  inputs: { deviceId: string; label: string }[] = [];
  async enumerateDevices() {
    return [
      { deviceId: 'default', kind: 'audioinput', label: 'Default', groupId: 'g' },
      { deviceId: 'speaker', kind: 'audiooutput', label: 'Speakers', groupId: 'g' },
      ...this.inputs.map((d) => ({ ...d, kind: 'audioinput', groupId: d.deviceId })),
    ] as unknown as MediaDeviceInfo[];
  }
}

const original = Object.getOwnPropertyDescriptor(navigator, 'mediaDevices');
afterEach(() => {
  if (original) Object.defineProperty(navigator, 'mediaDevices', original);
  else delete (navigator as { mediaDevices?: unknown }).mediaDevices;
});

describe('useMicrophones', () => {
  it('lists audio inputs (not the default alias, not outputs) and follows devicechange', async () => {
    const media = new FakeMedia();
    media.inputs = [{ deviceId: 'builtin', label: 'Built-in Microphone' }, { deviceId: 'usb', label: '' }];
    Object.defineProperty(navigator, 'mediaDevices', { value: media, configurable: true });
    const { result, unmount } = renderHook(() => useMicrophones());
    await waitFor(() => expect(result.current).toEqual([
      { deviceId: 'builtin', label: 'Built-in Microphone' },
      { deviceId: 'usb', label: 'Microphone 2' }, // no label before permission: a name by position
    ]));
    media.inputs = media.inputs.filter((d) => d.deviceId !== 'usb');
    act(() => { media.dispatchEvent(new Event('devicechange')); });
    await waitFor(() => expect(result.current.map((m) => m.deviceId)).toEqual(['builtin']));
    media.inputs.push({ deviceId: 'usb', label: 'USB Headset' });
    act(() => { media.dispatchEvent(new Event('devicechange')); });
    await waitFor(() => expect(result.current.map((m) => m.label)).toEqual(['Built-in Microphone', 'USB Headset']));
    unmount();
  });
});
