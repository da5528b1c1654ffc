import { useEffect, useState } from 'react';

export interface Microphone {
  deviceId: string;
  label: string;
}

/** Audio inputs the browser reports (labels appear once microphone access was granted). */
export function useMicrophones(): Microphone[] {
  const [microphones, setMicrophones] = useState<Microphone[]>([]);
  useEffect(() => {
    const devices = navigator.mediaDevices;
    if (!devices?.enumerateDevices) return;
    let alive = true;
    const refresh = () =>
      devices.enumerateDevices().then((all) => {
        if (!alive) return;
        const inputs = all.filter((d) => d.kind === 'audioinput' && d.deviceId && d.deviceId !== 'default');
        setMicrophones(inputs.map((d, i) => ({ deviceId: d.deviceId, label: d.label || `Microphone ${i + 1}` })));
      }, () => undefined);
    void refresh();
    devices.addEventListener?.('devicechange', refresh);
    return () => {
      alive = false;
      devices.removeEventListener?.('devicechange', refresh);
    };
  }, []);
  return microphones;
}
