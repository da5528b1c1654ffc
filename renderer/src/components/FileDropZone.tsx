// A region that takes files dropped from the desktop: highlighted while files are dragged over
// it, hands the dropped Files to `onFiles` (checking them is the caller's job). Drags of text or
// page elements are left alone.

import { useRef, useState, type DragEvent, type ReactNode } from 'react';

const carriesFiles = (event: DragEvent) => Array.from(event.dataTransfer?.types ?? []).includes('Files');

export function FileDropZone(props: { label: string; onFiles(files: File[]): void; children: ReactNode }) {
  const [over, setOver] = useState(false);
  // dragenter/dragleave fire for every child crossed: count them so the highlight does not flicker.
  const depth = useRef(0);
  const leave = () => { depth.current = 0; setOver(false); };
  return (
    <div
      className={`drop-zone${over ? ' drag-over' : ''}`}
      data-testid="drop-zone"
      onDragEnter={(e) => {
        if (!carriesFiles(e)) return;
        e.preventDefault();
        depth.current += 1;
        setOver(true);
      }}
      onDragOver={(e) => {
        if (!carriesFiles(e)) return;
        e.preventDefault(); // allows the drop
        e.dataTransfer.dropEffect = 'copy';
      }}
      onDragLeave={(e) => {
        if (!carriesFiles(e)) return;
        depth.current = Math.max(0, depth.current - 1);
        if (depth.current === 0) setOver(false);
      }}
      onDrop={(e) => {
        if (!carriesFiles(e)) return;
        e.preventDefault(); // never let the browser open the file
        leave();
        props.onFiles(Array.from(e.dataTransfer.files));
      }}
    >
      {props.children}
      {over && <div className="drop-overlay" data-testid="drop-overlay">{props.label}</div>}
    </div>
  );
}
