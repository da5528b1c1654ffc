import { useState } from 'react';
import { copyText } from './copy-text';

export function CopyButton({ text, label = 'Copy' }: { text: string; label?: string }) {
  const [copied, setCopied] = useState<boolean | null>(null);
  return (
    <button
      type="button"
      className="button secondary"
      disabled={!text}
      onClick={async () => {
        setCopied(await copyText(text));
        setTimeout(() => setCopied(null), 1500);
      }}
    >
      {copied === null ? label : copied ? 'Copied' : 'Copy failed'}
    </button>
  );
}
