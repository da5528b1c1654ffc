import { useEffect, useRef } from 'react';

/**
 * Keeps a scrolling box pinned to its end while content grows (a live transcript), unless the
 * user scrolled up to read; scrolling back to the end pins it again.
 */
export function useStickToBottom<T extends HTMLElement>(content: unknown) {
  const ref = useRef<T>(null);
  const pinned = useRef(true);
  useEffect(() => {
    const box = ref.current;
    if (!box) return;
    const onScroll = () => { pinned.current = box.scrollHeight - box.scrollTop - box.clientHeight < 24; };
    box.addEventListener('scroll', onScroll);
    return () => box.removeEventListener('scroll', onScroll);
  }, []);
  useEffect(() => {
    const box = ref.current;
    if (box && pinned.current) box.scrollTop = box.scrollHeight;
  }, [content]);
  return ref;
}
